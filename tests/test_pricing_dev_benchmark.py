"""The pricing dev benchmark (benchmarks/pricing_dev.py): which splits it runs. Its three tuning folds by
default; with --seeds, splits drawn with other random seeds (a validation split read as totals only)."""

from __future__ import annotations

from benchmarks.heldout_items import seed_listings
from benchmarks.pricing_dev import DEV_SEED, fold, fold_label, split_seeds


def test_the_tuning_folds_by_default_and_the_named_splits_with_seeds() -> None:
    assert split_seeds("", 3) == [DEV_SEED, DEV_SEED + 1, DEV_SEED + 2]
    assert split_seeds("", 1) == [DEV_SEED]
    assert split_seeds("61", 3) == [61]
    assert split_seeds("71, 72,73", 1) == [71, 72, 73]


def test_seeds_that_are_not_whole_numbers_are_refused() -> None:
    assert split_seeds("61,x", 3) is None
    assert split_seeds("6.1", 3) is None


def test_a_split_is_labelled_as_a_fold_only_when_it_is_one() -> None:
    assert fold_label(1, DEV_SEED) == "fold 1"
    assert fold_label(3, DEV_SEED + 2) == "fold 3"
    assert fold_label(1, 61) == "split 61"
    assert fold_label(2, DEV_SEED) == f"split {DEV_SEED}"


def test_another_seed_draws_another_split_of_the_same_size() -> None:
    seed = seed_listings()
    train_1, dev_1 = fold(seed, DEV_SEED)
    train_61, dev_61 = fold(seed, 61)
    assert len(train_1) + len(dev_1) == len(seed) == len(train_61) + len(dev_61)
    assert abs(len(dev_61) - len(dev_1)) <= 5  # 8% of each section either way
    ids_1, ids_61 = {i.post_id for i in dev_1}, {i.post_id for i in dev_61}
    assert ids_1 != ids_61
    assert not ids_61 & {i.post_id for i in train_61}  # what is priced is not among what it is priced from
    assert {i.post_id for i in fold(seed, 61)[1]} == ids_61  # the same split each time
