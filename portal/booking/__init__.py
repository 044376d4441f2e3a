"""Meetings and self-booking: the pure slot engine (`slot_engine`), free times and who may see
an offer (`free_times`), booking, cancelling and moving (`bookings`), a participant's meetings
(`meetings`), the audit trail (`trail`), calendars, and the booking administration's rules
(`admin`, `caseworkers`, `offers`) and handlers (`routes`, `admin_routes/`)."""
