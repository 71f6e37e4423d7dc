"""The picklists and fixed vocabularies of the generated org (Salesforce's defaults where they exist)."""

from dataclasses import dataclass

# The default opportunity stages, in order, with their default probability. This org maps the late
# stages to Best Case / Commit, as most teams that forecast do; the default org maps every open stage
# to Pipeline.
STAGES = (
    ("Prospecting", 10.0, "Pipeline"),
    ("Qualification", 10.0, "Pipeline"),
    ("Needs Analysis", 20.0, "Pipeline"),
    ("Value Proposition", 50.0, "Pipeline"),
    ("Id. Decision Makers", 60.0, "Pipeline"),
    ("Perception Analysis", 70.0, "Best Case"),
    ("Proposal/Price Quote", 75.0, "Best Case"),
    ("Negotiation/Review", 90.0, "Commit"),
    ("Closed Won", 100.0, "Closed"),
    ("Closed Lost", 0.0, "Omitted"),
)
PROSPECTING, QUALIFICATION, NEEDS_ANALYSIS, VALUE_PROPOSITION = 0, 1, 2, 3
DECISION_MAKERS, PERCEPTION, PROPOSAL, NEGOTIATION, WON, LOST = 4, 5, 6, 7, 8, 9
LAST_OPEN = NEGOTIATION

INDUSTRIES = (
    "Banking", "Biotechnology", "Chemicals", "Communications", "Construction", "Consulting", "Education",
    "Electronics", "Energy", "Engineering", "Entertainment", "Finance", "Food & Beverage", "Government",
    "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
    "Retail", "Technology", "Telecommunications", "Transportation", "Utilities",
)  # fmt: skip

LEAD_SOURCES = (
    "Web", "Web", "Web", "Phone Inquiry", "Partner Referral", "Partner Referral", "Employee Referral",
    "External Referral", "Trade Show", "Seminar - Internal", "Advertisement", "Purchased List", "Other",
)  # fmt: skip

CONTACT_ROLES = (
    "Decision Maker", "Economic Buyer", "Technical Buyer", "Evaluator", "Influencer", "Executive Sponsor",
    "Business User", "Other",
)  # fmt: skip

CONTACT_TITLES = (
    "CEO", "CFO", "CIO", "CTO", "COO", "VP Operations", "VP Finance", "VP Engineering", "IT Director",
    "Director of Procurement", "Head of Sales Operations", "Operations Manager", "IT Manager",
    "Procurement Manager", "Controller", "Project Manager", "Systems Analyst", "Office Manager",
)  # fmt: skip

NEXT_STEPS = (
    "Send revised proposal", "Schedule demo with IT team", "Confirm budget with CFO", "Follow up on pricing",
    "Legal review of MSA", "Security questionnaire due", "Intro call with economic buyer", "Send references",
    "Book onsite workshop", "Get signature on order form", "Technical validation call", "Share ROI model",
    "Align on implementation timeline", "Procurement call", "Send case studies",
)  # fmt: skip

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")


@dataclass(frozen=True)
class Region:
    name: str
    # (TimeZoneSidKey, UTC offset in hours). Standard-time offsets: an hour of daylight-saving drift
    # does not change which business day an activity lands on.
    zones: tuple[tuple[str, int], ...]
    # (code for company suffixes, BillingCountry, BillingState or None)
    places: tuple[tuple[str, str, str | None], ...]


_US = "United States"
REGIONS = (
    Region(
        "East",
        (("America/New_York", -5),),
        (("US", _US, "NY"), ("US", _US, "MA"), ("US", _US, "PA"), ("US", _US, "NJ"), ("US", _US, "VA"),
         ("US", _US, "GA"), ("US", _US, "FL"), ("US", _US, "NC"), ("US", _US, "CT"), ("US", _US, "MD")),
    ),
    Region(
        "West",
        (("America/Los_Angeles", -8), ("America/Denver", -7), ("America/Phoenix", -7)),
        (("US", _US, "CA"), ("US", _US, "CA"), ("US", _US, "WA"), ("US", _US, "OR"), ("US", _US, "AZ"),
         ("US", _US, "CO"), ("US", _US, "UT"), ("US", _US, "NV")),
    ),
    Region(
        "Central",
        (("America/Chicago", -6),),
        (("US", _US, "IL"), ("US", _US, "TX"), ("US", _US, "TX"), ("US", _US, "MN"), ("US", _US, "OH"),
         ("US", _US, "MI"), ("US", _US, "MO"), ("US", _US, "WI")),
    ),
    Region(
        "EMEA",
        (("Europe/London", 0), ("Europe/Paris", 1), ("Europe/Berlin", 1), ("Europe/Amsterdam", 1)),
        (("GB", "United Kingdom", None), ("GB", "United Kingdom", None), ("DE", "Germany", None),
         ("FR", "France", None), ("NL", "Netherlands", None), ("SE", "Sweden", None), ("ES", "Spain", None),
         ("IE", "Ireland", None)),
    ),
    Region(
        "APAC",
        (("Australia/Sydney", 10), ("Asia/Singapore", 8), ("Asia/Tokyo", 9)),
        (("AU", "Australia", "NSW"), ("AU", "Australia", "VIC"), ("SG", "Singapore", None),
         ("JP", "Japan", None), ("IN", "India", None)),
    ),
)  # fmt: skip
