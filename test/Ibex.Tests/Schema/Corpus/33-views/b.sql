CREATE TABLE staff (id int PRIMARY KEY, name text, salary numeric, active boolean);
CREATE VIEW active_staff AS SELECT id, name FROM staff WHERE active;
CREATE VIEW active_names WITH (security_barrier) AS SELECT name FROM active_staff ORDER BY name;
CREATE VIEW editable_staff AS SELECT id, name, active FROM staff WHERE active WITH LOCAL CHECK OPTION;
CREATE VIEW payroll (person, pay) AS SELECT name, sum(salary) FROM staff GROUP BY name;
