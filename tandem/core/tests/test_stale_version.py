from tandem.core.api import StaleVersion


def test_a_stale_version_always_says_what_happened():
    """Pages show `str(stale)` under the form: a service that gave no words of its own must not
    leave the person an empty error."""
    assert str(StaleVersion()) == StaleVersion.message
    assert str(StaleVersion("")) == StaleVersion.message
    assert str(StaleVersion("This task changed since you opened it.")) == "This task changed since you opened it."
