"""gunicorn's settings that belong to OpenBeat on every host (`--config python:openbeat.gunicorn_conf`, in
deploy/systemd/openbeat-web.service and scripts/run.sh); the command line adds the address and the processes.

The access log names no resident: a finder's postcode or a search arrives in the query string
(`?postcode=PR1+2AB`), so a line has the path without it (%(U)s, never the request line %(r)s), and no client
address (%(h)s: the proxy's anyway). The response's X-Request-ID ties a line to the application's own (JSON) ones.
"""

accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
