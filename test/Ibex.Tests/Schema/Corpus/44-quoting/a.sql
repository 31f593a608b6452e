CREATE SCHEMA "Ünïcödé Schema";
CREATE TABLE "Ünïcödé Schema"."Order" ("select" int, "Mixed Case" text);
