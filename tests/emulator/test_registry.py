"""One shared emulator per org directory per process."""

from sfemulator.registry import emulator_for, reset_emulators


def test_the_same_directory_gives_the_same_emulator(make_org, monkeypatch):
    directory = make_org({})
    first = emulator_for(directory)
    assert emulator_for(str(directory) + "/") is first
    monkeypatch.chdir(directory.parent)
    assert emulator_for(directory.name) is first


def test_state_persists_between_clients_until_reset(make_org, client_for):
    directory = make_org({"Opportunity": []})
    client_for(emulator_for(directory)).query("SELECT COUNT() FROM Opportunity")
    client_for(emulator_for(directory)).query("SELECT COUNT() FROM Opportunity")
    assert emulator_for(directory).usage.snapshot()[0] == 2
    reset_emulators()
    assert emulator_for(directory).usage.snapshot()[0] == 0


def test_different_directories_are_different_orgs(make_org, tmp_path):
    first = make_org({})
    other = tmp_path / "other"
    other.mkdir()
    (other / "org.json").write_text((first / "org.json").read_text())
    assert emulator_for(first) is not emulator_for(other)
