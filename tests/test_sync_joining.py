"""The joining rule and its stamp, as pure functions."""

from __future__ import annotations

from sync import joining

SECRET = bytes(range(32))


def test_a_stamp_is_valid_only_for_its_training_and_secret() -> None:
    given = joining.stamp(SECRET, "rabat-tot", "7K3MZQ2P")
    assert joining.matches(joining.stamp(SECRET, "rabat-tot", "7K3MZQ2P"), given)
    assert not joining.matches(joining.stamp(SECRET, "casablanca", "7K3MZQ2P"), given)
    assert not joining.matches(joining.stamp(SECRET, "rabat-tot", "AAAAAAAA"), given)
    assert not joining.matches(joining.stamp(bytes(32), "rabat-tot", "7K3MZQ2P"), given)
    assert not joining.matches(joining.stamp(SECRET, "rabat-tot", "7K3MZQ2P"), given[:-1] + "x")
    assert not joining.matches(joining.stamp(SECRET, "rabat-tot", "7K3MZQ2P"), None)
    assert not joining.matches(joining.stamp(SECRET, "rabat-tot", "7K3MZQ2P"), "")


def test_only_a_new_code_from_a_phone_that_may_not_join_is_refused() -> None:
    assert joining.refusal("rabat-tot", may_join=True, code_seen=False) is None
    assert joining.refusal("rabat-tot", may_join=False, code_seen=True) is None
    why = joining.refusal("rabat-tot", may_join=False, code_seen=False)
    assert why is not None
    assert "Joining training 'rabat-tot' is closed" in why
    assert "Les inscriptions à la formation 'rabat-tot' sont fermées" in why
    assert "الانضمام إلى التدريب 'rabat-tot' مغلق" in why
