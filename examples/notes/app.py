"""The notes app: bottle under uWSGI, PostgreSQL found by the discovery
variables devbox sets (DB_HOST, DB_PORT_5432_TCP_PORT), Redis by name."""
import os
import time

import bottle
import psycopg2
import redis

app = bottle.Bottle()


def db():
    return psycopg2.connect(host=os.environ["DB_HOST"], port=os.environ["DB_PORT_5432_TCP_PORT"],
                            user="postgres", dbname="postgres", connect_timeout=5)


@app.get("/health")
def health():
    return "ok\n"


@app.post("/notes")
def add():
    text = bottle.request.body.read().decode()
    with db() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, text text NOT NULL)")
        cur.execute("INSERT INTO notes (text) VALUES (%s) RETURNING id", (text,))
        (note_id,) = cur.fetchone()
    return {"id": note_id, "worker": os.getpid()}


@app.get("/notes")
def notes():
    with db() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, text text NOT NULL)")
        cur.execute("SELECT text FROM notes ORDER BY id")
        rows = [r[0] for r in cur.fetchall()]
    hits = redis.Redis(host="cache", port=6379, socket_timeout=5).incr("hits")
    return {"notes": rows, "hits": hits, "worker": os.getpid()}


@app.get("/slow")
def slow():
    """Holds its worker a while: two at once show two workers."""
    time.sleep(1)
    return {"worker": os.getpid()}
