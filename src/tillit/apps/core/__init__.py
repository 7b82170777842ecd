"""The platform core: accounts, projects, memberships and roles, the audit log, the shell pages,
and the public reference pages (municipality registry, concept taxonomy)."""
