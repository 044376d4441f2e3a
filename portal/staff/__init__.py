"""Staff users, their organisations, roles, authorization periods and participant assignments;
the permission matrix (data), participant scope and the tools a role opens."""
