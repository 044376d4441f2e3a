"""Staff users, their organisations, roles, authorization periods and participant assignments."""
