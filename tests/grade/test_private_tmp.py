"""A run's private /tmp hides other files in /tmp but keeps a checkout or venv that lives there importable."""
import os
import sys
import tempfile

import pytest

from tutor.sandbox import jail

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not sys.platform.startswith("linux"),
                                reason="mount namespaces need root on Linux")


def test_private_tmp_keeps_import_roots_below_it_and_hides_the_rest() -> None:
    checkout = tempfile.mkdtemp(prefix="tutor-checkout-", dir="/tmp")
    os.chmod(checkout, 0o755)
    with open(os.path.join(checkout, "module_here.py"), "w") as fh:
        fh.write("VALUE = 42\n")
    secret = tempfile.NamedTemporaryFile(dir="/tmp", prefix="tutor-secret-", delete=False)
    secret.close()
    read_r, read_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child does what a confined run does, then reports what it can see
        code = 1
        try:
            os.close(read_r)
            sys.path.insert(0, checkout)
            jail.unshare(jail.CLONE_NEWNS)
            jail.mount("none", "/", None, jail.MS_REC | jail.MS_PRIVATE, None)
            jail.private_tmp("/tmp", 8, None)
            import module_here  # noqa: F401  (imported from the checkout under the new /tmp)

            seen = f"{module_here.VALUE} {os.path.exists(secret.name)}"
            os.write(read_w, seen.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(read_w)
    seen = os.read(read_r, 100).decode()
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert seen == "42 False"
    assert os.path.exists(secret.name)  # outside the child's namespace nothing changed
    os.unlink(secret.name)
