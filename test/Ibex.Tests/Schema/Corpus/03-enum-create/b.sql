CREATE TYPE status AS ENUM ('open', 'closed', 'won''t fix');
CREATE TABLE tickets (id int PRIMARY KEY, state status NOT NULL DEFAULT 'open');
