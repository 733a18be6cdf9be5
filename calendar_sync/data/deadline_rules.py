"""The deadline rules every firm starts with (each firm may then correct its own copy).

Each rule is a period under the Rules of the High Court (Cap. 4A) or the Rules of the
District Court (Cap. 336H, same numbering), computed by RHC Order 3 (docs/hk-rules.md,
"Computing time"). Where a point could not be confirmed from a primary text the notes
say "(verify)". Choices made when unsure lean towards the earlier date: an act that is
served on a party (not done at a court office) gets no O.3 r.4 extension, and a rule
is a pleading (Summer Vacation not counted) only where the rule plainly says so.

Fields: code, name, name_zh, citation, trigger (what the period is counted from),
days, months, clear_days, before, court_office, pleading, court (HC / DC / ANY), notes.
"""

_DEFAULTS = {
    "days": 0, "months": 0, "clear_days": False, "before": False, "court_office": False,
    "pleading": False, "court": "ANY", "notes": "",
}


def _rule(**fields) -> dict:
    return {**_DEFAULTS, **fields}


DEFAULT_DEADLINE_RULES: list[dict] = [
    _rule(
        code="acknowledgment-of-service", name="Acknowledgment of service",
        name_zh="送達認收書", citation="RHC O.12 r.5(a); RDC O.12 r.5(a)",
        trigger="service of the writ on the defendant in Hong Kong",
        days=13, court_office=True,
        notes="The time is 14 days after service INCLUDING the day of service (O.12 r.5(a), "
              "verify), so it is kept here as 13 days after service. A writ sent by post is "
              "deemed served on the 7th day after posting counting every day (O.10 r.1(3)(a)): "
              "use that day as the trigger. Served outside Hong Kong: the order for service "
              "fixes the time.",
    ),
    _rule(
        code="statement-of-claim", name="Statement of claim (not indorsed on the writ)",
        name_zh="申索陳述書", citation="RHC O.18 r.1",
        trigger="the defendant giving notice of intention to defend",
        days=14, pleading=True,
        notes="Served on the defendant.",
    ),
    _rule(
        code="defence", name="Defence", name_zh="抗辯書", citation="RHC O.18 r.2(1)",
        trigger="the later of the end of the time for acknowledging service and service of "
                "the statement of claim",
        days=28, pleading=True,
        notes="Count from the later of the two dates. An extension by written consent is "
              "recorded as an override with its reason (O.3 r.5).",
    ),
    _rule(
        code="reply", name="Reply (and defence to counterclaim)", name_zh="答覆書",
        citation="RHC O.18 r.3(4)", trigger="service of the defence",
        days=28, pleading=True,
        notes="(verify) 28 days since the Civil Justice Reform; a defence to counterclaim "
              "goes with the reply.",
    ),
    _rule(
        code="close-of-pleadings", name="Pleadings deemed closed", name_zh="狀書提交視為結束",
        citation="RHC O.18 r.20(1)",
        trigger="service of the reply or defence to counterclaim (or, if none, the end of the "
                "time for serving a reply)",
        days=14,
        notes="Not a deadline in itself: the trigger for the timetabling questionnaire and "
              "discovery. Not treated as a pleading period, which gives the earlier date "
              "(verify whether the Summer Vacation extends it).",
    ),
    _rule(
        code="timetabling-questionnaire", name="Timetabling questionnaire (file and serve)",
        name_zh="時間表問卷", citation="RHC O.25 r.1 (verify); PD 5.2",
        trigger="close of pleadings", days=28,
        notes="(verify rule reference) Each party files and serves one. Kept as not an act "
              "at a court office because it is also served (no O.3 r.4 extension).",
    ),
    _rule(
        code="case-management-summons", name="Case management summons",
        name_zh="案件管理傳票", citation="RHC O.25 r.1 (verify)",
        trigger="the end of the time for filing timetabling questionnaires",
        days=14, court_office=True,
        notes="(verify rule and period) The plaintiff takes it out.",
    ),
    _rule(
        code="list-of-documents", name="List of documents (discovery)", name_zh="文件清單",
        citation="RHC O.24 r.2(1)", trigger="close of pleadings", days=14,
        notes="Served on the other parties.",
    ),
    _rule(
        code="inspection-of-documents", name="Inspection of listed documents",
        name_zh="查閱文件", citation="RHC O.24 r.9", trigger="service of the list of documents",
        days=7,
        notes="(verify) The notice served with the list names a time within 7 days after "
              "service for inspection. A period of 7 days or less: Saturdays, general "
              "holidays and warning days are not counted.",
    ),
    _rule(
        code="witness-statements", name="Exchange of witness statements",
        name_zh="交換證人陳述書", citation="RHC O.38 r.2A (period set by the court's directions)",
        trigger="the order giving directions", days=28,
        notes="(verify) O.38 r.2A fixes no period: the directions do. 28 days is a "
              "placeholder: change it, or override each deadline with the ordered date.",
    ),
    _rule(
        code="setting-down", name="Setting down for trial", name_zh="排期審訊",
        citation="RHC O.34 r.2 (period fixed by the court) (verify)",
        trigger="the order fixing the period for setting down", days=28, court_office=True,
        notes="(verify) The order fixes the period: 28 days is a placeholder. Setting down "
              "is done at the Registry.",
    ),
    _rule(
        code="notice-of-appeal-ca", name="Notice of appeal to the Court of Appeal",
        name_zh="上訴通知書（上訴法庭）", citation="RHC O.59 r.4(1)",
        trigger="the date of the judgment or order appealed against", days=28, court="HC",
        notes="(verify) From a final judgment of the Court of First Instance. An "
              "interlocutory order needs leave first (see leave-to-appeal-interlocutory). "
              "Served on the parties, so no O.3 r.4 extension is assumed.",
    ),
    _rule(
        code="leave-to-appeal-interlocutory", name="Summons for leave to appeal (interlocutory)",
        name_zh="上訴許可申請（非正審命令）",
        citation="RHC O.59 r.2B; High Court Ordinance (Cap. 4) s.14AA (verify)",
        trigger="the date of the interlocutory order", days=14, court_office=True, court="HC",
        notes="(verify period and the judge to apply to).",
    ),
    _rule(
        code="appeal-set-down", name="Setting down an appeal (Court of Appeal)",
        name_zh="上訴排期", citation="RHC O.59 r.5(1) (verify)",
        trigger="service of the notice of appeal", days=7, court_office=True, court="HC",
        notes="(verify period and the documents to lodge). A period of 7 days or less at a "
              "court office: Saturdays, general holidays, warning days and closures are not "
              "counted.",
    ),
    _rule(
        code="notice-of-appeal-dc", name="Notice of appeal from the District Court",
        name_zh="上訴通知書（區域法院）",
        citation="District Court Ordinance (Cap. 336) s.63; RHC O.59 r.4 (verify)",
        trigger="the date of the District Court judgment or order", days=28, court="DC",
        notes="(verify) Appeal to the Court of Appeal. No Summer Vacation in the District "
              "Court.",
    ),
    _rule(
        code="appeal-from-master", name="Appeal from a Master to a judge in chambers",
        name_zh="就聆案官決定提出上訴", citation="RHC O.58 r.1(3); RDC O.58 r.1(3) (verify)",
        trigger="the Master's judgment, order or decision", days=14, court_office=True,
        notes="(verify) The notice is issued within the period and served not less than 2 "
              "clear days before the hearing (see summons-service).",
    ),
    _rule(
        code="summons-service", name="Service of a summons before its hearing",
        name_zh="傳票送達（聆訊前）", citation="RHC O.32 r.3",
        trigger="the day fixed for the hearing", days=2, clear_days=True, before=True,
        notes="Not less than 2 clear days before the hearing: two whole days between service "
              "and the hearing, Saturdays and general holidays not counted.",
    ),
    _rule(
        code="sanctioned-offer-acceptance", name="Accepting a sanctioned offer or payment",
        name_zh="接受附帶條款和解提議或付款", citation="RHC O.22 (verify rule number)",
        trigger="service of the notice of the sanctioned offer or payment", days=28,
        notes="(verify) Acceptance without leave within 28 days after service, unless the "
              "trial has begun.",
    ),
    _rule(
        code="statutory-demand-bankruptcy", name="Statutory demand (bankruptcy): time to comply",
        name_zh="法定要求償債書（破產）：清償期限",
        citation="Bankruptcy Ordinance (Cap. 6) s.6A(1)(a)",
        trigger="service of the statutory demand", days=21,
        notes="3 weeks; a petition may follow once they have passed. An ordinance period "
              "(Cap. 1 s.71): if the last day is a public holiday or warning day it runs to "
              "the next day that is not; that extension is not applied here, so the date "
              "shown is never later than the true one (verify).",
    ),
    _rule(
        code="statutory-demand-set-aside", name="Application to set aside a statutory demand",
        name_zh="申請撤銷法定要求償債書", citation="Bankruptcy Rules (Cap. 6A) r.48(1) (verify)",
        trigger="service of the statutory demand (in Hong Kong)", days=18, court_office=True,
        notes="(verify) Filed at the Registry; longer when served out of Hong Kong.",
    ),
    _rule(
        code="statutory-demand-company", name="Statutory demand (winding up): time to pay",
        name_zh="法定要求償債書（清盤）：清償期限",
        citation="Companies (Winding Up and Miscellaneous Provisions) Ordinance (Cap. 32) "
                 "s.178(1)(a)",
        trigger="service of the demand at the company's registered office", days=21,
        notes="3 weeks; an ordinance period (Cap. 1 s.71), computed without its holiday "
              "extension, so never later than the true date (verify).",
    ),
    _rule(
        code="judicial-review-leave", name="Application for leave to apply for judicial review",
        name_zh="司法覆核許可申請", citation="RHC O.53 r.4(1)",
        trigger="the date when grounds for the application first arose", months=3,
        court_office=True, court="HC",
        notes="Promptly, and in any event within 3 months: delay inside the 3 months can "
              "still be fatal.",
    ),
    _rule(
        code="writ-validity", name="Writ valid for service", name_zh="令狀送達有效期",
        citation="RHC O.6 r.8(1) (verify)", trigger="issue of the writ", months=12,
        notes="(verify) Serve before it expires; renewal under O.6 r.8(2).",
    ),
]
