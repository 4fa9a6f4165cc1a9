CREATE TABLE seeded (what text);
INSERT INTO seeded VALUES ('from docker-entrypoint-initdb.d');
