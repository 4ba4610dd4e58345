from anwei.accounts.roles import Role, grant

grant("audit.view", Role.ADMIN, Role.ETHICS_OFFICER, Role.AUDITOR)
