"""Clinical vocabulary (drugs, scales, diagnoses, modalities) is never an identifier."""

import itertools

import pytest

from consult.deid.scanner import Finding, scan


@pytest.mark.parametrize(
    "text",
    [
        "Started sertraline 50 mg through her PCP two weeks ago; some GI side effects.",
        "Lithium level was therapeutic; quetiapine at night for sleep.",
        "Zoloft was switched to Lexapro, and Wellbutrin was added.",
        "Seroquel and Abilify were discussed with the prescriber.",
        "We completed the Columbia (C-SSRS) screen today: ideation without intent or plan.",
        "Diagnosis is MDD, recurrent, moderate, with comorbid PTSD.",
        "History of bipolar II disorder and GAD.",
        "BDI-II dropped from 31 to 22 over eight sessions of CBT.",
        "DBT skills group and EMDR were both offered.",
        "Beck Depression Inventory and PHQ-9 scores both improved.",
        "Supervisor suggested a lethal means counseling script and a follow-up call on Monday.",
        "Safety plan reviewed: warning signs, coping strategies, and two people she can call.",
        "Naloxone (Narcan) kit given; referred to Alcoholics Anonymous.",
        "Her father had Alzheimer's disease and Parkinson's.",
        "Medicaid covers the IOP; Aetna denied the PHP.",
    ],
)
def test_it_does_not_flag_clinical_vocabulary(text):
    assert scan(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Client Kelli Fuller", [{"start": 7, "end": 19, "kind": "NAME"}]),
        ("", []),
    ],
)
def test_it_returns_sorted_non_overlapping_findings(text, expected):
    findings = scan(text)
    assert [f.as_dict() for f in findings] == expected
    assert all(isinstance(f, Finding) for f in findings)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
