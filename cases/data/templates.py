"""Task templates every new firm starts with (the firm can edit them)."""

HCA_CIVIL_ACTION = {
    "name": "HCA civil action",
    "name_zh": "高等法院民事訴訟",
    "case_number_prefixes": ["HCA", "HCCL", "HCPI", "DCCJ", "DCPI"],
    "steps": [
        {"title": "Open file and conflict check", "children": [
            {"title": "Client identification and due diligence (AML)"},
            {"title": "Engagement letter signed"},
        ]},
        {"title": "Pre-action", "children": [
            {"title": "Letter before action"},
            {"title": "Consider Practice Direction 31 mediation"},
        ]},
        {"title": "Pleadings", "children": [
            {"title": "Writ of summons issued and served"},
            {"title": "Acknowledgment of service (14 days)"},
            {"title": "Statement of claim"},
            {"title": "Defence (28 days after statement of claim)"},
            {"title": "Reply"},
        ]},
        {"title": "Case management", "children": [
            {"title": "Timetabling questionnaire"},
            {"title": "Case management summons"},
        ]},
        {"title": "Discovery", "children": [
            {"title": "List of documents"},
            {"title": "Inspection"},
        ]},
        {"title": "Evidence", "children": [
            {"title": "Witness statements exchanged"},
            {"title": "Expert reports"},
        ]},
        {"title": "Trial", "children": [
            {"title": "Pre-trial review"},
            {"title": "Trial bundles"},
            {"title": "Setting down"},
        ]},
    ],
}

DEFAULT_TEMPLATES = [HCA_CIVIL_ACTION]
