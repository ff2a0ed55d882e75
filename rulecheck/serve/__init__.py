"""``rulecheck serve``: a local web page for checking slates, for people who never open a terminal.

command.py is the command word (options, start-up, the browser); app.py the server (routes and the
guard every request passes); checking.py an upload checked through the same run and formats as the
command line; static/ the page (HTML, CSS, JS, its texts in zh and en), served from the package only.
Nothing here is imported by a check: Starlette and uvicorn load only with ``rulecheck serve``.
"""
