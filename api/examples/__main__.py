"""``python -m api.examples [DIR]``: write the example workbooks from their description."""
import os
import sys

from api.examples import build

for path in build(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))):
    print(path)
