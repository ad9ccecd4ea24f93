"""Cooke's classical model: real studies against ANDURYL, a hand-worked study, and errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cohesion_bn.elicitation.cooke import (
    CookeResult,
    Item,
    SeedStudy,
    analyze,
    robustness,
)
from cohesion_bn.elicitation.excalibur import read_excalibur
from cohesion_bn.errors import ElicitationError

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cooke"
STUDIES = [
    "Arkansas",
    "CWD_s",
    "FCEP_Error",
    "Food_prices_seeds",
    "PoliticalViolence_seeds_CW_seeds",
]
TOL = 1e-6


def _study(name: str) -> SeedStudy:
    path = DATA / f"{name}.dtt"
    if not path.exists():
        pytest.fail(f"shared test data missing: {path} (expected ../shared beside the repo)")
    return read_excalibur(path)


# --------------------------------------------------------------------------------------
# The five shared studies, against ANDURYL 1.2.2
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STUDIES)
def test_matches_anduryl(name: str) -> None:
    study = _study(name)
    ref = json.loads((DATA / f"{name}.anduryl.json").read_text())
    assert ref["weight_type"] == "global" and ref["overshoot"] == 0.1 and ref["calpower"] == 1.0

    res = analyze(study)

    assert list(res.experts) == ref["experts"]
    np.testing.assert_allclose(res.calibration, ref["calibration"], rtol=0, atol=TOL)
    np.testing.assert_allclose(res.information, ref["information_all_items"], rtol=0, atol=TOL)
    np.testing.assert_allclose(
        res.information_seed, ref["information_seed_items"], rtol=0, atol=TOL
    )
    np.testing.assert_allclose(res.weights, ref["normalised_weights"], rtol=0, atol=TOL)
    assert res.alpha == pytest.approx(ref["alpha_optimised"], abs=TOL)
    dm = ref["decision_maker"]
    assert res.decision_maker.calibration == pytest.approx(dm["calibration"], abs=TOL)
    assert res.decision_maker.information == pytest.approx(dm["information_all_items"], abs=TOL)
    assert res.decision_maker.information_seed == pytest.approx(
        dm["information_seed_items"], abs=TOL
    )


def test_to_dict_shape_and_json() -> None:
    res = analyze(_study("Arkansas"))
    d = res.to_dict()
    assert set(d) == {"alpha", "experts", "decision_maker"}
    assert [e["id"] for e in d["experts"]] == ["AR01", "AR03", "AR06", "AR07"]
    for e in d["experts"]:
        assert set(e) == {"id", "calibration", "information", "information_seed", "weight"}
    assert set(d["decision_maker"]) == {"calibration", "information", "information_seed"}
    assert json.loads(json.dumps(d)) == d
    assert sum(e["weight"] for e in d["experts"]) == pytest.approx(1.0)


def test_to_df() -> None:
    res = analyze(_study("CWD_s"))
    df = res.to_df()
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "expert" and len(df) == 14
    assert {"calibration", "information", "information_seed", "weight"} <= set(df.columns)
    assert df.loc["10", "weight"] == pytest.approx(0.44597781425380095, abs=TOL)
    q = res.dm_quantiles_df()
    assert q.shape == (10, 3) and list(q.columns) == [0.05, 0.5, 0.95]


# Robustness, computed with ANDURYL 1.2.2's own calculate.item_robustness and
# calculate.expert_robustness (global weights, alpha optimised, one left out), recorded as
# (calibration, information all items, information seed items) of the DM.
ARKANSAS_WITHOUT_EXPERT = {
    "AR01": (0.49879791742158197, 0.37430271136968885, 0.3005413688304491),
    "AR03": (0.22221391419810166, 0.6345727766541348, 0.37436286966170246),
    "AR06": (0.007144736208288149, 0.7950502683203983, 1.1266328193881758),
    "AR07": (0.49879791742158197, 0.28962105685539824, 0.22294650802158128),
}
ARKANSAS_WITHOUT_ITEM = {
    "ARKidsA Enroll": (0.43189664112971904, 0.5834748930029248, 0.7782808925289136),
    "Case closures": (0.1598327178942649, 0.5180618579470134, 0.3642195904290014),
    "ARKids A ADV": (0.8354474924087203, 0.4021797457691638, 0.38320802985942537),
    "High satisfact": (0.5112017901810035, 0.4757661901715662, 0.25115978760333607),
}


def test_robustness_experts_matches_anduryl() -> None:
    df = robustness(_study("Arkansas"), leave_out="experts")
    assert list(df.index) == ["AR01", "AR03", "AR06", "AR07"]
    assert df.index.name == "left_out"
    for expert, expected in ARKANSAS_WITHOUT_EXPERT.items():
        got = df.loc[expert, ["calibration", "information", "information_seed"]]
        np.testing.assert_allclose(got.to_numpy(float), expected, rtol=0, atol=TOL)


def test_robustness_items_matches_anduryl() -> None:
    study = _study("Arkansas")
    df = robustness(study, leave_out="items")
    assert len(df) == 10  # the seed items only
    for item, expected in ARKANSAS_WITHOUT_ITEM.items():
        got = df.loc[item, ["calibration", "information", "information_seed"]]
        np.testing.assert_allclose(got.to_numpy(float), expected, rtol=0, atol=TOL)
    # Leaving out an item is analysing the study without it.
    name = "Unins <100 FPL"
    sub = analyze(study.subset(items=[n for n in study.item_names if n != name]))
    assert df.loc[name, "calibration"] == sub.decision_maker.calibration
    assert df.loc[name, "alpha"] == sub.alpha


def test_robustness_fixed_alpha_without_any_expert_is_nan() -> None:
    # Arkansas: only AR06 (0.0698) is above 0.05; leaving it out leaves nobody.
    df = robustness(_study("Arkansas"), leave_out="experts", alpha=0.05)
    assert df.loc["AR06"].isna().all()
    assert not df.loc["AR01"].isna().any()


# --------------------------------------------------------------------------------------
# A tiny study worked out by hand
# --------------------------------------------------------------------------------------


def _q3(x: float) -> float:
    """Survival function of chi-square with 3 degrees of freedom, in closed form."""
    return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)


def _tiny() -> SeedStudy:
    return SeedStudy(
        experts=("A", "B"),
        items=(
            Item("x", "uni", 12.0),
            Item("y", "log", 50.0),
            Item("z", "uni", None),
        ),
        quantiles=(0.05, 0.5, 0.95),
        answers=np.array(
            [
                [[0, 5, 10], [1, 10, 100], [0, 1, 2]],
                [[10, 15, 20], [10, 100, 1000], [0, 1, 2]],
            ],
            dtype=float,
        ),
    )


def test_hand_worked_study() -> None:
    r"""Two experts, quantiles 5/50/95 % (p = .05, .45, .45, .05), overshoot 0.1.

    ====  =====  ===========  ===============  =============  ==========
    item  scale  realisation  A                B              range
    ====  =====  ===========  ===============  =============  ==========
    x     uni    12           0, 5, 10         10, 15, 20     [-2, 22]
    y     log    50           1, 10, 100       10, 100, 1000  [-.3, 3.3]
    z     uni    (target)     0, 1, 2          0, 1, 2        [-.2, 2.2]
    ====  =====  ===========  ===============  =============  ==========

    Ranges: x spans [0, 20], plus 10 % of 20 each side; y is log-uniform, so on the log
    scale (in units of ln 10, which cancel in the information) it spans [0, 3] -> [-.3, 3.3].

    Information (ln(U - L) + sum p ln(p / width)):
      x, A: widths 2, 5, 5, 12 -> I_x = ln 24 + .05 ln(.05/2) + .9 ln(.45/5) + .05 ln(.05/12);
            B: widths 12, 5, 5, 2, the same I_x.
      y, A: widths .3, 1, 1, 1.3 -> I_y = ln 3.6 + .05 ln(.05/.3) + .9 ln .45 + .05 ln(.05/1.3);
            B: the mirror image, the same I_y.
      z: widths .2, 1, 1, .2 -> I_z = ln 2.4 + .1 ln .25 + .9 ln .45.
      So information_seed = (I_x + I_y)/2 = 0.4311 and information = (I_x + I_y + I_z)/3
      = 0.2935, for both.

    Calibration (N = 2 seeds, 3 degrees of freedom):
      A: 12 > 10 (bin 3), 10 < 50 <= 100 (bin 2): s = (0, 0, .5, .5),
         I(s,p) = .5 ln(.5/.45) + .5 ln(.5/.05) = .5 ln(100/9); 2 N I = 2 ln(100/9) = 4.816;
         calibration = Q3(4.816) = 0.1858, Q3(x) = erfc(sqrt(x/2)) + sqrt(2x/pi) e^(-x/2).
      B: 10 < 12 <= 15 (bin 1), 10 < 50 <= 100 (bin 1): s = (0, 1, 0, 0),
         I = ln(1/.45); 2 N I = 4 ln(20/9) = 3.194; calibration = 0.3627.

    Global weights, alpha optimised: the candidates are the two calibration scores.
      alpha = cal_B: only B, so DM = B: combined score 0.3627 x 0.4311 = 0.1563.
      alpha = cal_A: weights cal_A : cal_B = .3387 : .6613. The DM CDF at x = 12 is
         .3387 F_A(12) + .6613 F_B(12) = .3387 (.95 + .05 * 2/12) + .6613 (.05 + .45 * 2/5)
         = .477, in (.05, .5): bin 1; at y = 50 (log10 50 = 1.699) it is
         .3387 (.5 + .45 * .699) + .6613 (.05 + .45 * .699) = .517, in (.5, .95): bin 2.
         So s = (0, .5, .5, 0), 2 N I = 4 ln(.5/.45) and calibration = Q3(4 ln(10/9))
         = 0.9358; but the wide mixture is uninformative (information_seed 0.0595), so the
         combined score is 0.0557 < 0.1563. The optimum is alpha = cal_B, DM = B.

    Equal weights: F_DM = (F_A + F_B)/2.
      x: F_DM at the grid -2, 0, 5, 10, 15, 20, 22 is 0, 7/240, 127/480, 1/2, 353/480,
         233/240, 1; inverting: 5 % at 5 (1/48)/(113/480) = 50/113, 50 % at 10,
         95 % at 20 - 50/113 (symmetry). Widths 2 + 50/113 = 276/113, 1080/113 (twice),
         276/113: I = ln 24 + .1 ln(.05 / (276/113)) + .9 ln(.45 / (1080/113)).
      y (log10 units): F_DM at -.3, 0, 1, 2, 3, 3.3 is 0, 2/65, .275, .725, 63/65, 1;
         5 % at (.05 - 2/65)/(.275 - 2/65) = 10/127, 50 % at 1.5, 95 % at 3 - 10/127,
         i.e. 10^(10/127), 10^1.5, 10^(3 - 10/127). Widths .3 + 10/127 = 48.1/127,
         180.5/127 (twice), 48.1/127: I = ln 3.6 + .1 ln(.05/(48.1/127))
         + .9 ln(.45/(180.5/127)).
      z: both experts agree, DM = (0, 1, 2), I = I_z.
      Realisations: 12 in (10, 19.56] and 1.699 in (1.5, 2.92]: both bin 2, s = (0, 0, 1, 0),
      2 N I = 4 ln(1/.45): the DM's calibration equals B's, 0.3627.
    """
    study = _tiny()
    i_x = (math.log(24) + 0.05 * math.log(0.05 / 2) + 0.9 * math.log(0.45 / 5)
           + 0.05 * math.log(0.05 / 12))
    i_y = (math.log(3.6) + 0.05 * math.log(0.05 / 0.3) + 0.9 * math.log(0.45)
           + 0.05 * math.log(0.05 / 1.3))
    i_z = math.log(2.4) + 0.1 * math.log(0.25) + 0.9 * math.log(0.45)
    cal_a = _q3(2 * math.log(100 / 9))
    cal_b = _q3(4 * math.log(20 / 9))
    assert cal_a == pytest.approx(0.1858, abs=1e-4)
    assert cal_b == pytest.approx(0.3627, abs=1e-4)

    res = analyze(study)
    np.testing.assert_allclose(res.calibration, [cal_a, cal_b], rtol=1e-12)
    np.testing.assert_allclose(res.information_seed, [(i_x + i_y) / 2] * 2, rtol=1e-12)
    np.testing.assert_allclose(res.information, [(i_x + i_y + i_z) / 3] * 2, rtol=1e-12)
    np.testing.assert_array_equal(res.n_seeds, [2, 2])

    # Optimised: alpha = cal_B, the DM is expert B.
    assert res.alpha == pytest.approx(cal_b, rel=1e-12)
    np.testing.assert_allclose(res.weights, [0.0, 1.0])
    np.testing.assert_allclose(res.unnormalised_weights, [0.0, cal_b * (i_x + i_y) / 2])
    np.testing.assert_allclose(res.dm_quantiles, study.answers[1], rtol=1e-12)
    assert res.decision_maker.calibration == pytest.approx(cal_b, rel=1e-12)
    assert res.decision_maker.information_seed == pytest.approx((i_x + i_y) / 2, rel=1e-12)

    # The rejected candidate: both experts pooled. (The cutoff is the computed score itself:
    # the closed form above may differ from it in the last bit, which could exclude A.)
    pooled = analyze(study, alpha=float(res.calibration[0]))
    np.testing.assert_allclose(pooled.weights, np.array([cal_a, cal_b]) / (cal_a + cal_b))
    assert pooled.decision_maker.calibration == pytest.approx(
        _q3(4 * math.log(10 / 9)), rel=1e-12
    )
    assert pooled.decision_maker.combined < res.decision_maker.combined

    # Equal weights.
    eq = analyze(study, weights="equal")
    assert eq.alpha == 0.0
    np.testing.assert_allclose(eq.weights, [0.5, 0.5])
    np.testing.assert_allclose(
        eq.dm_quantiles,
        [
            [50 / 113, 10, 20 - 50 / 113],
            [10 ** (10 / 127), 10**1.5, 10 ** (3 - 10 / 127)],
            [0, 1, 2],
        ],
        rtol=1e-12, atol=1e-12,
    )
    dm_x = math.log(24) + 0.1 * math.log(0.05 / (276 / 113)) + 0.9 * math.log(
        0.45 / (1080 / 113)
    )
    dm_y = math.log(3.6) + 0.1 * math.log(0.05 / (48.1 / 127)) + 0.9 * math.log(
        0.45 / (180.5 / 127)
    )
    assert eq.decision_maker.calibration == pytest.approx(cal_b, rel=1e-12)
    assert eq.decision_maker.information_seed == pytest.approx((dm_x + dm_y) / 2, rel=1e-12)
    assert eq.decision_maker.information == pytest.approx((dm_x + dm_y + i_z) / 3, rel=1e-12)

    # Item weights: each expert's information is the same on every item here, so the item
    # weights are the global ones.
    item = analyze(study, weights="item")
    assert item.alpha == res.alpha
    np.testing.assert_allclose(item.dm_quantiles, res.dm_quantiles)


def test_realisation_on_a_quantile_counts_in_the_bin_below() -> None:
    base = _tiny()
    answers = base.answers.copy()
    answers[0, 0] = [0, 5, 12]  # A's 95 % quantile is exactly the realisation 12
    study = SeedStudy(base.experts, base.items, base.quantiles, answers)
    # A: x in bin 2 (5 < 12 <= 12), y in bin 2: s = (0, 0, 1, 0), 2 N I = 4 ln(1/.45).
    cal = analyze(study, weights="equal").calibration
    assert cal[0] == pytest.approx(_q3(4 * math.log(20 / 9)), rel=1e-12)


def test_calibration_power_scales_the_statistic() -> None:
    res = analyze(_tiny(), calibration_power=0.5)
    # Power 1/2 halves 2 N I: A's statistic 2 ln(100/9) becomes ln(100/9).
    assert res.calibration[0] == pytest.approx(_q3(math.log(100 / 9)), rel=1e-12)


def test_missing_answer_is_left_out_and_weights_renormalised() -> None:
    base = _tiny()
    answers = base.answers.copy()
    answers[1, 2] = np.nan  # B did not answer the target item z
    study = SeedStudy(base.experts, base.items, base.quantiles, answers)
    eq = analyze(study, weights="equal")
    np.testing.assert_allclose(eq.item_weights[:, 2], [1.0, 0.0])
    np.testing.assert_allclose(eq.dm_quantiles[2], [0, 1, 2], atol=1e-12)
    # B's information over all items is now over x and y only.
    assert eq.information[1] == pytest.approx(eq.information_seed[1])


def test_mirror_image_counts_tie_exactly() -> None:
    """Counts (2,1,4,1) and (1,1,4,2) give the same I(s, p) in exact arithmetic; with
    p = (.05, .45, .45, .05) a naive float sum differs in the last bit (1 - .95 is not .05),
    which would let a cutoff at one of them exclude the other. They must tie exactly."""
    # Realisation 0 everywhere; these quantiles put it in bin 0, 1, 2 or 3.
    in_bin = {0: [1, 2, 3], 1: [-1, 1, 2], 2: [-2, -1, 1], 3: [-3, -2, -1]}
    bins_p = [0, 0, 1, 2, 2, 2, 2, 3]  # counts (2, 1, 4, 1)
    bins_q = [0, 1, 2, 2, 2, 2, 3, 3]  # counts (1, 1, 4, 2)
    study = SeedStudy(
        experts=("P", "Q"),
        items=tuple(Item(f"s{k}", "uni", 0.0) for k in range(8)),
        quantiles=(0.05, 0.5, 0.95),
        answers=np.array([[in_bin[b] for b in bins_p], [in_bin[b] for b in bins_q]], float),
    )
    res = analyze(study)
    assert res.calibration[0] == res.calibration[1]
    assert (res.weights > 0).all()  # the optimised cutoff keeps both


def test_dm_calibrated_below_the_cutoff_is_not_a_candidate() -> None:
    """The DM at cutoff alpha scores calibration x information x [calibration_DM >= alpha].

    Four seeds, realisation 0. T1 puts 0 at its 27.5 % point on s0, s1 (bin 1) and at its
    50.9 % point on s2, s3 (bin 2); T2 the other way round. Both have counts (0, 2, 2, 0) and
    calibration Q3(8 ln(.5/.45)) = 0.839, tied. But their mixture has 0 at
    (27.5 + 50.9)/2 < 50 % on every seed: counts (0, 4, 0, 0), calibration
    Q3(8 ln(1/.45)) = 0.094 < 0.839, so the cutoff 0.839 gets no score. X (0 above its 95 %
    point everywhere, calibration 2.5e-5) adds a negligible weight at cutoff 2.5e-5, where the
    nearly identical DM (calibration 0.094 >= 2.5e-5) is valid: that cutoff wins, although
    without the indicator the top cutoff's DM would score (slightly) higher.
    """
    low, high, x = [-1, 1, 2], [-2, -0.1, 5], [-100, -50, -1]
    study = SeedStudy(
        experts=("T1", "T2", "X"),
        items=tuple(Item(f"s{k}", "uni", 0.0) for k in range(4)),
        quantiles=(0.05, 0.5, 0.95),
        answers=np.array([[low, low, high, high], [high, high, low, low], [x] * 4], float),
    )
    res = analyze(study)
    cal_t = _q3(8 * math.log(0.5 / 0.45))
    cal_mix = _q3(8 * math.log(1 / 0.45))
    np.testing.assert_allclose(res.calibration, [cal_t, cal_t, _q3(8 * math.log(20))])
    assert res.alpha == res.calibration[2]
    assert res.decision_maker.calibration == pytest.approx(cal_mix, rel=1e-12)
    top = analyze(study, alpha=float(res.calibration[0]))
    assert top.decision_maker.calibration == pytest.approx(cal_mix, rel=1e-12)
    assert top.decision_maker.calibration < top.alpha
    assert top.decision_maker.combined > res.decision_maker.combined


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_bad_options() -> None:
    study = _tiny()
    with pytest.raises(ElicitationError, match=r"unknown weights 'globl'.*did you mean"):
        analyze(study, weights="globl")  # type: ignore[arg-type]
    with pytest.raises(ElicitationError, match="alpha must be in"):
        analyze(study, alpha=1.5)
    with pytest.raises(ElicitationError, match="leave it as None with weights='equal'"):
        analyze(study, weights="equal", alpha=0.1)
    with pytest.raises(ElicitationError, match="above every expert's calibration"):
        analyze(study, alpha=0.5)
    with pytest.raises(ElicitationError, match="overshoot"):
        analyze(study, overshoot=-0.1)
    with pytest.raises(ElicitationError, match="calibration_power"):
        analyze(study, calibration_power=0.0)
    with pytest.raises(ElicitationError, match="leave_out"):
        robustness(study, leave_out="both")  # type: ignore[arg-type]
    with pytest.raises(ElicitationError, match="expected a SeedStudy"):
        analyze("study.dtt")  # type: ignore[arg-type]


def test_no_seed_items() -> None:
    base = _tiny()
    items = tuple(Item(it.name, it.scale, None) for it in base.items)
    study = SeedStudy(base.experts, items, base.quantiles, base.answers)
    with pytest.raises(ElicitationError, match="no seed items"):
        analyze(study)


def test_expert_without_seed_answers() -> None:
    base = _tiny()
    answers = base.answers.copy()
    answers[0, :2] = np.nan
    study = SeedStudy(base.experts, base.items, base.quantiles, answers)
    with pytest.raises(ElicitationError, match=r"expert.*A answered none of the seed items"):
        analyze(study)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.__setitem__((0, 0, 1), np.nan), "some quantiles are missing"),
        (lambda a: a.__setitem__((0, 0, 1), 0.0), "strictly increasing"),
        (lambda a: a.__setitem__((1, 1, 0), -1.0), "log-uniform background"),
        (lambda a: a.__setitem__((0, 0, 0), np.inf), "must be finite"),
        (lambda a: a.__setitem__((slice(None), 2), np.nan), "no expert answered it"),
    ],
)
def test_seed_study_validation(change: object, message: str) -> None:
    base = _tiny()
    answers = base.answers.copy()
    change(answers)  # type: ignore[operator]
    with pytest.raises(ElicitationError, match=message):
        SeedStudy(base.experts, base.items, base.quantiles, answers)


def test_seed_study_structure_errors() -> None:
    base = _tiny()
    with pytest.raises(ElicitationError, match="shape"):
        SeedStudy(base.experts, base.items, base.quantiles, base.answers[:, :2])
    with pytest.raises(ElicitationError, match="unique"):
        SeedStudy(("A", "A"), base.items, base.quantiles, base.answers)
    with pytest.raises(ElicitationError, match="strictly increasing"):
        SeedStudy(base.experts, base.items, (5, 50, 95), base.answers)
    with pytest.raises(ElicitationError, match="scale"):
        Item("x", "linear", 1.0)  # type: ignore[arg-type]
    with pytest.raises(ElicitationError, match="realisation must be positive"):
        Item("x", "log", 0.0)
    with pytest.raises(ElicitationError, match=r"unknown expert 'C'"):
        base.subset(experts=["C"])


def test_seed_study_is_immutable() -> None:
    study = _tiny()
    with pytest.raises(ValueError):
        study.answers[0, 0, 0] = 99.0
    with pytest.raises(AttributeError):
        study.experts = ("X", "Y")  # type: ignore[misc]
    assert isinstance(analyze(study), CookeResult)
