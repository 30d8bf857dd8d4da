# Solution to 04 Closing, Exercise 1: echo a close code safely.


def safe_close_args(code, reason):
    if 1000 <= code <= 4999 and code not in (1004, 1005, 1006, 1015):
        return code, reason
    return 1000, ""
