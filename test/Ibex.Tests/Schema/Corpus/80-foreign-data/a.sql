CREATE FOREIGN DATA WRAPPER remote_rows OPTIONS (debug 'true');
CREATE SERVER archive TYPE 'postgres' FOREIGN DATA WRAPPER remote_rows OPTIONS (host 'old-archive', port '5432');
CREATE SERVER gone FOREIGN DATA WRAPPER remote_rows;
CREATE USER MAPPING FOR PUBLIC SERVER archive OPTIONS (user 'reader', fetch_size '100');
