from cases.selectors.cases import (
    CASE_SORTS,
    can_see_case,
    case_for_member,
    case_list,
    cases_visible_to,
)

__all__ = ["CASE_SORTS", "can_see_case", "case_for_member", "case_list", "cases_visible_to"]
