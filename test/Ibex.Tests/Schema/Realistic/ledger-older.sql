-- An older version of ledger.sql: no fiscal periods, cast, statistics or publication yet, lines in one table,
-- a simpler balance aggregate, other policies and comments, and a report view dropped since.
CREATE SCHEMA ledger;
CREATE SCHEMA reports;

CREATE TYPE ledger.account_kind AS ENUM ('asset', 'liability', 'income', 'expense');
CREATE TYPE ledger.entry_state AS ENUM ('draft', 'posted');
CREATE DOMAIN ledger.amount AS numeric(14,2);
CREATE DOMAIN ledger.currency AS char(3);

CREATE FUNCTION ledger._net_step(numeric, numeric, numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT $1 + coalesce($2, 0) - coalesce($3, 0)
$$;
CREATE AGGREGATE ledger.net(numeric, numeric) (SFUNC = ledger._net_step, STYPE = numeric, INITCOND = '0');

CREATE FUNCTION ledger.current_company() RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT current_setting('ledger.company_id')::integer
$$;

CREATE TABLE ledger.company (
  company_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  currency ledger.currency NOT NULL DEFAULT 'EUR'
);
CREATE TABLE ledger.account (
  account_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id integer NOT NULL REFERENCES ledger.company,
  code text NOT NULL,
  name text NOT NULL,
  kind ledger.account_kind NOT NULL,
  parent_id integer REFERENCES ledger.account
);
CREATE TABLE ledger.entry (
  entry_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id integer NOT NULL REFERENCES ledger.company,
  posted_on date NOT NULL,
  description text NOT NULL,
  state ledger.entry_state NOT NULL DEFAULT 'draft'
);
CREATE TABLE ledger.line (
  entry_id bigint NOT NULL REFERENCES ledger.entry ON DELETE CASCADE,
  line_no smallint NOT NULL,
  posted_on date NOT NULL,
  account_id integer NOT NULL REFERENCES ledger.account,
  debit ledger.amount,
  credit ledger.amount,
  PRIMARY KEY (entry_id, line_no)
);

CREATE FUNCTION ledger.check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT ledger.net(debit, credit) FROM ledger.line WHERE entry_id = NEW.entry_id) <> 0 THEN
    RAISE EXCEPTION 'entry % is not balanced', NEW.entry_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER line_balanced AFTER INSERT ON ledger.line
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_balanced();

ALTER TABLE ledger.entry ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_company ON ledger.entry USING (company_id = ledger.current_company());

CREATE VIEW reports.account_balance AS
  SELECT a.account_id, a.code, ledger.net(l.debit, l.credit) AS balance
  FROM ledger.account a LEFT JOIN ledger.line l ON l.account_id = a.account_id
  GROUP BY a.account_id, a.code;
CREATE VIEW reports.big_entries AS
  SELECT entry_id, ledger.net(debit, NULL) AS total FROM ledger.line GROUP BY entry_id HAVING ledger.net(debit, NULL) > 10000;

COMMENT ON SCHEMA ledger IS 'bookkeeping';
COMMENT ON VIEW reports.big_entries IS 'to be removed';
