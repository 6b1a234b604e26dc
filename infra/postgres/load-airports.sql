-- The reference table of the JDBC ingest: one row per airport, changed in place over time, with
-- updated_at as the time from which a row's values are valid (the ingest's watermark).
-- Run by infra/postgres/postgres.sh start with airports.csv on standard input; idempotent: the schema and
-- table are created once and the file is loaded only into an empty table, so later changes stay.
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS reference;

CREATE TABLE IF NOT EXISTS reference.airports (
  -- Surrogate key: dense integers that Spark splits into ranges for parallel reads.
  airport_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  iata text NOT NULL UNIQUE,
  name text,
  city text,
  state text,
  country text,
  latitude double precision,
  longitude double precision,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS airports_updated_at ON reference.airports (updated_at);

-- An UPDATE that does not set updated_at itself gets now(), so no change escapes the watermark.
CREATE OR REPLACE FUNCTION reference.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS airports_touch_updated_at ON reference.airports;
CREATE TRIGGER airports_touch_updated_at BEFORE UPDATE ON reference.airports
  FOR EACH ROW EXECUTE FUNCTION reference.touch_updated_at();

CREATE TEMPORARY TABLE airports_csv (
  iata text, name text, city text, state text, country text,
  latitude double precision, longitude double precision
);
\copy airports_csv FROM pstdin WITH (FORMAT csv, HEADER true)

-- Valid from the eve of the flights data (2001-01-01 to 2001-06-30), so every flight finds its airport.
INSERT INTO reference.airports (iata, name, city, state, country, latitude, longitude, updated_at)
SELECT iata, name, city, state, country, latitude, longitude, timestamptz '2000-12-31 00:00:00+00'
FROM airports_csv
WHERE NOT EXISTS (SELECT 1 FROM reference.airports)
ORDER BY iata;
