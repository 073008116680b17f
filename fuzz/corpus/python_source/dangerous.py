import os, subprocess
exec(compile('1', 'x', 'eval'))
__import__('os').system('true')
s = r'''raw\n''' + f"{1!r:>4}"
