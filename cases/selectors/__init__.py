from cases.selectors.cases import (
    CASE_SORTS,
    can_see_case,
    case_for_member,
    case_list,
    cases_visible_to,
    on_visible_cases,
    visible_case_ids,
)

__all__ = ["CASE_SORTS", "can_see_case", "case_for_member", "case_list", "cases_visible_to", "on_visible_cases",
           "visible_case_ids"]
