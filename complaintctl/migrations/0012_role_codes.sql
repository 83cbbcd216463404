-- Issue 14 (the tool in Chinese as well as English): the default escalation roles
-- become codes of the word table, shown as 部门经理 / "department manager" in the
-- reader's language. Only the exact texts complaintctl itself stored change; a role
-- the user typed (`policy set escalation 2 1wd --role 分总`) is kept as typed.
-- Events keep what they recorded (the hash chain covers them): verify reads these
-- three texts in old init and policy-set events as the codes (settings.LEGACY_ROLES).

UPDATE escalation SET role = 'department_manager' WHERE role = 'department manager (部门经理)';
UPDATE escalation SET role = 'branch_head' WHERE role = 'branch head (分总)';
UPDATE escalation SET role = 'general_manager' WHERE role = 'general manager (总经理)';
