"""Car audio and home audio told apart by the listings' titles: a maker whose amplifiers are filed as car audio
("MTX", "Kicker") says car audio without a vehicle word; no branch counts less for not being said."""

from __future__ import annotations

from tests.test_category_search_reading import index, taxonomy, top

CAR_AMPS = (
    "Vehicles & Parts > Vehicle Parts & Accessories > Motor Vehicle Electronics > Motor Vehicle Amplifiers"
)
HOME_AMPS = "Electronics > Audio > Audio Components > Audio Amplifiers > Power Amplifiers"


def test_a_car_audio_maker_says_car_audio_by_its_titles_without_a_vehicle_word() -> None:
    ix = index(
        taxonomy(CAR_AMPS, HOME_AMPS),
        [
            ("Motor Vehicle Amplifiers", "mtx 4 channel amplifier"),
            ("Motor Vehicle Amplifiers", "mtx thunder amp"),
        ]
        + [("Power Amplifiers", f"{make} stereo power amplifier") for make in ("crown", "yamaha", "adcom")],
    )
    assert top(ix, "mtx amplifier") == "Motor Vehicle Amplifiers"
    # and the home amplifiers stay home audio, by their own titles
    assert top(ix, "yamaha amplifier") == "Power Amplifiers"
    assert top(ix, "crown power amp") == "Power Amplifiers"
