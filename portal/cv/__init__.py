"""CVs: My CV (`mycv`), the presentation CV and its shared links (`presentation`), "I am looking
for a job as" (`service`), the export of all CV data (`export`), and their handlers."""
