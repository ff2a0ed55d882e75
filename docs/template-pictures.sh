#!/bin/sh
# How docs/template-dropdown.png and docs/template-error.png were made: the template, two rows filled in
# (tests/test_template.py's GOOD), opened in LibreOffice Calc 7.4 on a virtual X display, a cell selected and
# its list opened with Alt+Down (or a wrong birth date typed), the screen captured and cropped. Nothing is
# drawn by hand. There is no window manager, so the error alert has no title bar.
#
# Needs: Xvfb and xdotool (Debian: xvfb, xdotool), Pillow (for the capture), and a LibreOffice with an X11
# plugin: the CI machine's is the "nogui" build, so the Debian packages libreoffice-core and libreoffice-calc
# of the same version were unpacked beside it (dpkg -x) into a copy of /usr/lib/libreoffice, with
# program/fundamentalrc's BRAND_BASE_DIR set to ${ORIGIN}/.. (LO=that copy's program/soffice).
set -eu
LO=${LO:-soffice}
WORK=$(mktemp -d)
cd "$(dirname "$0")/.."
python - "$WORK/shot.xlsx" <<'EOF'
import sys
from pathlib import Path
sys.path.insert(0, "tests")
from test_template import GOOD, fill
from rulecheck import template
from rulecheck.rulefile import ruleset
template.build(ruleset.load(), "zh").save(Path(sys.argv[1]).with_name("blank.xlsx"))
fill(Path(sys.argv[1]).with_name("blank.xlsx"), Path(sys.argv[1]), GOOD[:2])
EOF
Xvfb :77 -screen 0 1400x800x24 -nolisten tcp & XVFB=$!
export DISPLAY=:77 SAL_USE_VCLPLUGIN=gen
"$LO" -env:UserInstallation="file://$WORK/profile" --norestore --nologo --calc "$WORK/shot.xlsx" & OFFICE=$!
sleep 25
grab() { python -c "from PIL import ImageGrab; ImageGrab.grab(xdisplay=':77').crop($2).save('$1', optimize=True)"; }
cell() { xdotool mousemove 70 88 click 1; sleep 0.3; xdotool key ctrl+a; xdotool type --delay 50 "$1"; xdotool key Return; sleep 1; }
cell H4; xdotool key alt+Down; sleep 1.5
grab docs/template-dropdown.png "(0, 80, 1365, 300)"
xdotool key Escape; cell F4; xdotool type --delay 80 "68.5"; xdotool key Return; sleep 2
grab docs/template-error.png "(0, 80, 1365, 470)"
kill "$OFFICE" "$XVFB" 2>/dev/null || true
