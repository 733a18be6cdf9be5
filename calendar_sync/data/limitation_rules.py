"""Limitation periods every firm starts with (Limitation Ordinance, Cap. 347; hk-rules §3).

A computed limitation date is a warning date, shown with its basis, never final: the
period can be postponed for disability (s.22) or for fraud, concealment or mistake
(s.26), and some run from knowledge. Points not confirmed from the text say "(verify)".
"""

POSTPONEMENT = ("A warning date, never final: disability (s.22) or fraud, concealment or "
                "mistake (s.26) can postpone the start of the period.")

DEFAULT_LIMITATION_RULES: list[dict] = [
    {"code": "contract", "name": "Contract (simple contract)", "name_zh": "合約（簡單合約）",
     "citation": "Cap. 347 s.4(1)(a)", "years": 6,
     "counted_from": "the date the cause of action accrued (the breach)",
     "caution": POSTPONEMENT},
    {"code": "tort", "name": "Tort (other than personal injuries)", "name_zh": "侵權（人身傷害除外）",
     "citation": "Cap. 347 s.4(1)(a)", "years": 6,
     "counted_from": "the date the cause of action accrued (usually when damage was suffered)",
     "caution": POSTPONEMENT + " For negligence causing latent damage see latent-damage."},
    {"code": "personal-injuries", "name": "Personal injuries", "name_zh": "人身傷害",
     "citation": "Cap. 347 s.27", "years": 3,
     "counted_from": "the date of accrual or, if later, the date of knowledge (s.27(4))",
     "caution": POSTPONEMENT + " Enter the later of accrual and knowledge; the court may "
                               "disapply the period (s.30)."},
    {"code": "fatal-accidents", "name": "Fatal accidents", "name_zh": "致命意外",
     "citation": "Cap. 347 s.28 (verify)", "years": 3,
     "counted_from": "the date of death or, if later, the dependant's date of knowledge",
     "caution": POSTPONEMENT + " (verify)"},
    {"code": "deed", "name": "Action on a deed (specialty)", "name_zh": "契據訴訟",
     "citation": "Cap. 347 s.4(3) (verify)", "years": 12,
     "counted_from": "the date the cause of action accrued", "caution": POSTPONEMENT},
    {"code": "judgment", "name": "Action on a judgment", "name_zh": "根據判決提出的訴訟",
     "citation": "Cap. 347 s.4(4) (verify)", "years": 12,
     "counted_from": "the date the judgment became enforceable",
     "caution": POSTPONEMENT + " Arrears of interest on it: 6 years."},
    {"code": "recovery-of-land", "name": "Recovery of land", "name_zh": "收回土地",
     "citation": "Cap. 347 s.7 (verify)", "years": 12,
     "counted_from": "the date the right of action accrued", "caution": POSTPONEMENT},
    {"code": "mortgage-principal", "name": "Mortgage money (principal)", "name_zh": "按揭本金",
     "citation": "Cap. 347 s.19 (verify)", "years": 12,
     "counted_from": "the date the right to receive the money accrued",
     "caution": POSTPONEMENT},
    {"code": "mortgage-interest", "name": "Arrears of mortgage interest", "name_zh": "按揭利息欠款",
     "citation": "Cap. 347 s.19 (verify)", "years": 6,
     "counted_from": "the date each instalment of interest became due",
     "caution": POSTPONEMENT},
    {"code": "latent-damage", "name": "Negligence: latent damage", "name_zh": "疏忽：潛在損害",
     "citation": "Cap. 347 s.31 (verify)", "years": 3,
     "counted_from": "the date of knowledge (where later than 6 years from accrual)",
     "caution": POSTPONEMENT + " Subject to the 15-year long stop (latent-damage-long-stop)."},
    {"code": "latent-damage-long-stop", "name": "Negligence: latent damage long stop",
     "name_zh": "疏忽：潛在損害最後時限", "citation": "Cap. 347 s.32 (verify)", "years": 15,
     "counted_from": "the act or omission alleged to be negligent",
     "caution": "Runs even if the damage is not yet known; only fraud or concealment (s.26) "
                "postpones it (verify)."},
    {"code": "employees-compensation", "name": "Employees' compensation claim", "name_zh": "僱員補償申索",
     "citation": "Employees' Compensation Ordinance (Cap. 282) s.14", "years": 2,
     "counted_from": "the accident (or the death)",
     "caution": "A warning date, never final: the court may allow a later claim for "
                "reasonable cause (s.14, verify)."},
]
