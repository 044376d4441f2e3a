"""My Plan: job and progression goals, the latest agreement and initiatives, every change a
new version with the plan's next revision; `inputs` (limits, parsing), `service` (writes),
`reading` (the plan as the participant sees it), the editor and the case-system API."""
