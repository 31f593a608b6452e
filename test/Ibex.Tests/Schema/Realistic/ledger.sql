-- A double-entry accounting ledger: companies, a chart of accounts, fiscal periods, journal entries and lines
-- partitioned by year, its own aggregates used by views (trial balance, account balances), a deferred
-- constraint trigger that keeps entries balanced, row-level security per company, a cast, extended statistics,
-- a publication for the reporting copy, and comments.
CREATE SCHEMA ledger;
CREATE SCHEMA reports;

CREATE TYPE ledger.account_kind AS ENUM ('asset', 'liability', 'equity', 'income', 'expense');
CREATE TYPE ledger.entry_state AS ENUM ('draft', 'posted', 'reversed');
CREATE DOMAIN ledger.amount AS numeric(18,2) CHECK (VALUE >= 0);
CREATE DOMAIN ledger.currency AS char(3) CHECK (VALUE ~ '^[A-Z]{3}$');
CREATE TYPE ledger.money_value AS (amount numeric(18,2), currency char(3));

CREATE FUNCTION ledger._net_step(numeric, numeric, numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT $1 + coalesce($2, 0) - coalesce($3, 0)
$$;
CREATE AGGREGATE ledger.net(numeric, numeric) (SFUNC = ledger._net_step, STYPE = numeric, INITCOND = '0', PARALLEL = SAFE);
COMMENT ON AGGREGATE ledger.net(numeric, numeric) IS 'sum of debits minus sum of credits';

CREATE FUNCTION ledger._list_step(text[], text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN $2 IS NULL OR $2 = ANY($1) THEN $1 ELSE $1 || $2 END
$$;
CREATE FUNCTION ledger._list_final(text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT array_to_string($1, ', ')
$$;
CREATE AGGREGATE ledger.distinct_list(text) (SFUNC = ledger._list_step, STYPE = text[], FINALFUNC = ledger._list_final, INITCOND = '{}');

CREATE FUNCTION ledger.money_text(ledger.money_value) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(($1).amount, 'FM999999999990.00') || ' ' || ($1).currency
$$;
CREATE CAST (ledger.money_value AS text) WITH FUNCTION ledger.money_text(ledger.money_value) AS ASSIGNMENT;

CREATE FUNCTION ledger.current_company() RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('ledger.company_id', true), '')::integer
$$;

CREATE TABLE ledger.company (
  company_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  currency ledger.currency NOT NULL DEFAULT 'EUR'
);
CREATE TABLE ledger.account (
  account_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id integer NOT NULL REFERENCES ledger.company ON DELETE CASCADE,
  code text NOT NULL,
  name text NOT NULL,
  kind ledger.account_kind NOT NULL,
  parent_id integer REFERENCES ledger.account,
  closed boolean NOT NULL DEFAULT false,
  UNIQUE (company_id, code)
);
CREATE INDEX account_parent ON ledger.account (parent_id) WHERE parent_id IS NOT NULL;
CREATE TABLE ledger.fiscal_period (
  period_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id integer NOT NULL REFERENCES ledger.company,
  during daterange NOT NULL,
  closed boolean NOT NULL DEFAULT false,
  EXCLUDE USING gist (during WITH &&) WHERE (NOT closed)
);
CREATE TABLE ledger.entry (
  entry_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id integer NOT NULL REFERENCES ledger.company,
  posted_on date NOT NULL,
  description text NOT NULL,
  state ledger.entry_state NOT NULL DEFAULT 'draft',
  reverses bigint REFERENCES ledger.entry,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entry_company_date ON ledger.entry (company_id, posted_on);
CREATE TABLE ledger.line (
  entry_id bigint NOT NULL REFERENCES ledger.entry ON DELETE CASCADE,
  line_no smallint NOT NULL,
  posted_on date NOT NULL,
  account_id integer NOT NULL REFERENCES ledger.account,
  debit ledger.amount,
  credit ledger.amount,
  memo text,
  PRIMARY KEY (entry_id, line_no, posted_on),
  CONSTRAINT one_side CHECK ((debit IS NULL) <> (credit IS NULL))
) PARTITION BY RANGE (posted_on);
CREATE TABLE ledger.line_2025 PARTITION OF ledger.line FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE ledger.line_2026 PARTITION OF ledger.line FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE ledger.line_other PARTITION OF ledger.line DEFAULT;
CREATE INDEX line_account ON ledger.line (account_id, posted_on);
CREATE STATISTICS ledger.line_account_date (ndistinct, dependencies) ON account_id, posted_on FROM ledger.line_2026;

CREATE FUNCTION ledger.check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  diff numeric;
BEGIN
  SELECT ledger.net(debit, credit) INTO diff FROM ledger.line WHERE entry_id = NEW.entry_id;
  IF diff <> 0 THEN
    RAISE EXCEPTION 'entry % is off by %', NEW.entry_id, diff;
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER line_balanced AFTER INSERT OR UPDATE ON ledger.line
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_balanced();

CREATE FUNCTION ledger.no_change_after_posting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state <> 'draft' THEN
    RAISE EXCEPTION 'entry % is %', OLD.entry_id, OLD.state;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER entry_frozen BEFORE UPDATE OR DELETE ON ledger.entry FOR EACH ROW
  WHEN (OLD.state <> 'draft') EXECUTE FUNCTION ledger.no_change_after_posting();

ALTER TABLE ledger.account ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.entry ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.entry FORCE ROW LEVEL SECURITY;
CREATE POLICY own_company ON ledger.account USING (company_id = ledger.current_company());
CREATE POLICY own_company ON ledger.entry USING (company_id = ledger.current_company()) WITH CHECK (company_id = ledger.current_company());
CREATE POLICY no_reversed_inserts ON ledger.entry AS RESTRICTIVE FOR INSERT WITH CHECK (state <> 'reversed');

CREATE VIEW reports.account_balance AS
  SELECT a.company_id, a.account_id, a.code, a.name, a.kind, ledger.net(l.debit, l.credit) AS balance
  FROM ledger.account a LEFT JOIN ledger.line l ON l.account_id = a.account_id
  GROUP BY a.company_id, a.account_id, a.code, a.name, a.kind;
CREATE VIEW reports.trial_balance AS
  SELECT company_id, kind, sum(balance) FILTER (WHERE balance > 0) AS debit, -sum(balance) FILTER (WHERE balance < 0) AS credit
  FROM reports.account_balance
  GROUP BY company_id, kind;
CREATE VIEW reports.entry_accounts AS
  SELECT e.entry_id, e.posted_on, e.description, ledger.distinct_list(a.code ORDER BY a.code) AS accounts
  FROM ledger.entry e JOIN ledger.line l USING (entry_id) JOIN ledger.account a USING (account_id)
  GROUP BY e.entry_id, e.posted_on, e.description;
CREATE MATERIALIZED VIEW reports.monthly_totals AS
  SELECT date_trunc('month', posted_on)::date AS month, account_id, ledger.net(debit, credit) AS net
  FROM ledger.line GROUP BY 1, 2
  WITH NO DATA;
CREATE UNIQUE INDEX monthly_totals_key ON reports.monthly_totals (month, account_id);

CREATE PUBLICATION ledger_reporting FOR TABLE ledger.entry, TABLE ledger.line, TABLE ledger.account (account_id, company_id, code, name, kind)
  WITH (publish = 'insert, update, delete', publish_via_partition_root = true);

COMMENT ON SCHEMA ledger IS 'double-entry bookkeeping';
COMMENT ON TABLE ledger.line IS 'one debit or credit of an entry';
COMMENT ON COLUMN ledger.line.posted_on IS 'copied from the entry: the partition key';
COMMENT ON CONSTRAINT one_side ON ledger.line IS 'a line is a debit or a credit, never both';
COMMENT ON TRIGGER line_balanced ON ledger.line IS 'checked at commit';
COMMENT ON POLICY own_company ON ledger.entry IS 'a session sees one company';
COMMENT ON VIEW reports.trial_balance IS 'debits and credits per account kind';
COMMENT ON CAST (ledger.money_value AS text) IS 'amount and currency';
