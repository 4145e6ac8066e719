"""The one builder of the names offered on download (Content-Disposition).

Every download name goes through `download_name`, whoever builds it (a proposal's
document, an AO document, a payload's document, a reviewer's copy): Windows
refuses to save a file whose name, before its first dot, is a device (CON, PRN,
AUX, NUL, COM0–COM9, LPT0–LPT9, with or without an extension, in any case,
trailing spaces and dots ignored), and some versions open the device instead.
Such a name gets an underscore after its device part: "CON.pdf" becomes
"CON_.pdf". It sits at the bottom of the import order, like config.refusals:
every app may import it, it imports nothing of ours.
"""

DEVICE_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789¹²³"}
)


def is_device_name(name: str) -> bool:
    """Whether Windows reads `name` as a device: "con", "COM1.pdf", "nul .txt",
    "LPT9.tar.gz", "aux. ." are; "console.pdf" and "COM10.pdf" are not."""
    base = name.rstrip(" .").split(".", 1)[0].rstrip(" ")
    return base.upper() in DEVICE_NAMES


def download_name(name: str, *, default: str = "document") -> str:
    """`name` as offered on download: trailing spaces and dots (which Windows
    drops) removed, a device name made an ordinary one, `default` if nothing
    is left."""
    name = name.rstrip(" .") or default
    if is_device_name(name):
        base, dot, rest = name.partition(".")
        name = f"{base.rstrip(' ')}_{dot}{rest}"
    return name
