"""What each kind of file may fill, and the column names the CRMs' exports give those fields.

Salesforce Data Loader writes API names (`StageName`), its reports the labels (`Stage`); HubSpot
writes its property labels (`Deal Stage`, `Record ID`); Pipedrive prefixes the object
(`Deal - Title`). Headers are compared without case, spaces or punctuation, so `Close Date`,
`CloseDate` and `close_date` are one name.
"""

import hashlib
import re
from dataclasses import dataclass

from tandem.imports.models import ImportJob, Kind


@dataclass(frozen=True)
class Target:
    field: str
    label: str
    required: bool = False


TARGETS: dict[str, tuple[Target, ...]] = {
    Kind.ACCOUNT: (
        Target("external_id", "External id"),
        Target("name", "Name", required=True),
        Target("industry", "Industry"),
        Target("segment", "Segment"),
        Target("status", "Status"),
        Target("employees", "Employees"),
        Target("region", "Region"),
        Target("annual_revenue", "Annual revenue"),
        Target("owner", "Owner"),
    ),
    Kind.CONTACT: (
        Target("external_id", "External id"),
        Target("account", "Account (external id or name)", required=True),
        Target("first_name", "First name"),
        Target("last_name", "Last name"),
        Target("full_name", "Full name (split into first and last)"),
        Target("email", "Email"),
        Target("phone", "Phone"),
        Target("title", "Title"),
    ),
    Kind.OPPORTUNITY: (
        Target("external_id", "External id"),
        Target("account", "Account (external id or name)", required=True),
        Target("name", "Name", required=True),
        Target("amount", "Amount", required=True),
        Target("currency", "Currency"),
        Target("stage", "Stage", required=True),
        Target("close_date", "Close date", required=True),
        Target("probability", "Probability (%)"),
        Target("forecast_category", "Forecast category"),
        Target("type", "Type"),
        Target("lead_source", "Lead source"),
        Target("owner", "Owner"),
        Target("next_step", "Next step"),
        Target("is_won", "Won (true/false)"),
        Target("is_closed", "Closed (true/false)"),
    ),
    Kind.LEAD: (
        Target("external_id", "External id"),
        Target("first_name", "First name"),
        Target("last_name", "Last name"),
        Target("full_name", "Full name (split into first and last)"),
        Target("company", "Company", required=True),
        Target("email", "Email"),
        Target("phone", "Phone"),
        Target("title", "Title"),
        Target("country", "Country"),
        Target("region", "Region"),
        Target("territory", "Territory (name)"),
        Target("source", "Source"),
        Target("campaign", "Campaign"),
        Target("status", "Status"),
        Target("disqualified_reason", "Why disqualified"),
        Target("budget", "Budget"),
        Target("need", "Need"),
        Target("owner", "Owner"),
    ),
    Kind.USER: (
        Target("external_id", "External id"),
        Target("email", "Email", required=True),
        Target("username", "User name (the email when blank)"),
        Target("first_name", "First name"),
        Target("last_name", "Last name"),
        Target("full_name", "Full name (split into first and last)"),
        Target("title", "Title"),
        Target("role", "Role"),
        Target("team", "Team (name)"),
        Target("is_active", "Active (true/false)"),
    ),
    Kind.PRODUCT: (
        Target("external_id", "External id"),
        Target("name", "Name", required=True),
        Target("description", "Description"),
        Target("lifecycle_stage", "Lifecycle stage"),
        Target("owner", "Product manager"),
    ),
    Kind.FEATURE: (
        Target("external_id", "External id"),
        Target("product", "Product (external id or name)", required=True),
        Target("title", "Name", required=True),
        Target("description", "Description"),
        Target("status", "Status"),
        Target("confidence", "Confidence"),
        Target("visibility", "Visibility"),
        Target("horizon", "Now, next or later"),
        Target("effort", "Effort (person-weeks)"),
        Target("owner", "Owner"),
    ),
    Kind.ASK: (
        Target("external_id", "External id"),
        Target("account", "Account (external id or name)", required=True),
        Target("opportunity", "Deal (external id or name)"),
        Target("feature", "Feature (external id or name)"),
        Target("need", "Need", required=True),
        Target("why", "Why"),
        Target("importance", "Importance"),
        Target("source", "Source"),
        Target("owner", "Requested by"),
        Target("created_at", "Logged on (date)"),
    ),
    Kind.QUOTA: (
        Target("external_id", "External id"),
        Target("owner", "Rep"),
        Target("team", "Team (name)"),
        Target("period", "Period (start date, or FY2027 Q1)"),
        Target("fiscal_year", "Fiscal year"),
        Target("fiscal_quarter", "Fiscal quarter"),
        Target("amount", "Amount", required=True),
        Target("currency", "Currency"),
    ),
}

# field -> the headers that mean it, per CRM (compared normalised).
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    Kind.ACCOUNT: {
        "external_id": ("Id", "Account ID", "Record ID", "Company ID", "Organization - ID", "External ID"),
        "name": ("Name", "Account Name", "Company name", "Organization - Name", "Company"),
        "industry": ("Industry", "Organization - Industry"),
        "segment": ("Segment", "Customer Segment"),
        "status": ("Status", "Account Status"),
        "employees": ("NumberOfEmployees", "Employees", "Number of Employees", "Organization - Number of employees"),
        "region": (
            "BillingCountry",
            "Billing Country",
            "Country/Region",
            "Country",
            "Region",
            "Organization - Country",
        ),
        "annual_revenue": ("AnnualRevenue", "Annual Revenue", "Organization - Annual revenue"),
        "owner": ("OwnerId", "Account Owner", "Company owner", "Owner", "Organization - Owner"),
    },
    Kind.CONTACT: {
        "external_id": ("Id", "Contact ID", "Record ID", "Person - ID", "External ID"),
        "account": (
            "AccountId",
            "Account ID",
            "Associated Company IDs",
            "Associated Company ID",
            "Associated Company IDs (Primary)",
            "Organization - ID",
            "Account Name",
            "Company Name",
            "Associated Company",
            "Person - Organization",
        ),
        "first_name": ("FirstName", "First Name", "Person - First name"),
        "last_name": ("LastName", "Last Name", "Person - Last name"),
        "full_name": ("Name", "Full Name", "Contact Name", "Person - Name"),
        "email": ("Email", "Email Address", "Person - Email"),
        "phone": ("Phone", "Phone Number", "Person - Phone", "Business Phone"),
        "title": ("Title", "Job Title", "Person - Job title"),
    },
    Kind.OPPORTUNITY: {
        "external_id": ("Id", "Opportunity ID", "Record ID", "Deal ID", "Deal - ID", "External ID"),
        "account": (
            "AccountId",
            "Account ID",
            "Associated Company IDs",
            "Associated Company IDs (Primary)",
            "Associated Company ID",
            "Organization - ID",
            "Deal - Organization ID",
            "Account Name",
            "Associated Company",
            "Company Name",
            "Deal - Organization",
            "Organization - Name",
        ),
        "name": ("Name", "Opportunity Name", "Deal Name", "Deal - Title", "Title"),
        "amount": ("Amount", "Deal - Value", "Value"),
        "currency": ("CurrencyIsoCode", "Opportunity Currency", "Currency", "Deal Currency Code", "Deal - Currency"),
        "stage": ("StageName", "Stage", "Deal Stage", "Deal - Stage"),
        "close_date": ("CloseDate", "Close Date", "Deal - Expected close date", "Expected close date"),
        "probability": ("Probability", "Probability (%)", "Deal Probability", "Deal - Probability"),
        "forecast_category": ("ForecastCategoryName", "Forecast Category", "ForecastCategory", "Forecast category"),
        "type": ("Type", "Opportunity Type", "Deal Type", "Deal - Type"),
        "lead_source": ("LeadSource", "Lead Source", "Original Source", "Deal - Source", "Source"),
        "owner": ("OwnerId", "Opportunity Owner", "Deal owner", "Deal Owner", "Deal - Owner", "Owner"),
        "next_step": ("NextStep", "Next Step", "Deal - Next activity subject"),
        "is_won": ("IsWon", "Won"),
        "is_closed": ("IsClosed", "Closed"),
    },
    Kind.LEAD: {
        "external_id": ("Id", "Lead ID", "Record ID", "Lead - ID", "External ID"),
        "first_name": ("FirstName", "First Name", "Person - First name"),
        "last_name": ("LastName", "Last Name", "Person - Last name"),
        "full_name": ("Name", "Full Name", "Lead Name", "Person - Name", "Lead - Contact person"),
        "company": (
            "Company",
            "Company / Account",
            "Company Name",
            "Organization - Name",
            "Lead - Organization",
            "Account Name",
        ),
        "email": ("Email", "Email Address", "Person - Email"),
        "phone": ("Phone", "Phone Number", "Person - Phone", "MobilePhone"),
        "title": ("Title", "Job Title", "Person - Job title"),
        "country": ("Country", "Country/Region", "Organization - Country", "Person - Country"),
        "region": ("Region", "State/Province"),
        # Salesforce and HubSpot lead exports have none: a custom column is mapped on the screen.
        "territory": ("Territory", "Territory name", "Sales territory", "territory_id"),
        "source": ("LeadSource", "Lead Source", "Original Source", "Lead - Source", "Source"),
        "campaign": ("Campaign", "Campaign Name", "Original Source Drill-Down 1"),
        # HubSpot: the lead status when the export has it, else the lifecycle stage.
        "status": ("Status", "Lead Status", "Lifecycle Stage", "Lead - Status", "Lead - Labels"),
        "disqualified_reason": ("Disqualified Reason", "Unqualified Reason", "Lead - Lost reason"),
        "budget": ("Budget", "AnnualRevenue", "Lead - Value", "Value"),
        "need": ("Description", "Need", "Lead - Notes"),
        "owner": ("OwnerId", "Lead Owner", "Contact owner", "HubSpot Owner", "Lead - Owner", "Owner"),
    },
    Kind.USER: {
        "external_id": ("Id", "User ID", "Record ID", "External ID"),
        "email": ("Email", "Email Address"),
        "username": ("Username", "User Name"),
        "first_name": ("FirstName", "First Name"),
        "last_name": ("LastName", "Last Name"),
        "full_name": ("Name", "Full Name"),
        "title": ("Title", "Job Title"),
        "role": ("UserRole", "UserRole.Name", "Role", "UserRoleId", "Profile", "Profile.Name"),
        "team": ("Team", "Team name", "team_id", "Department", "Division"),
        "is_active": ("IsActive", "Active", "Is Active"),
    },
    Kind.PRODUCT: {
        "external_id": ("Id", "Product ID", "Product reference #", "External ID"),
        "name": ("Name", "Product name", "Product", "Workspace name"),
        "description": ("Description", "Product description"),
        "lifecycle_stage": ("Lifecycle stage", "Lifecycle", "Stage", "Status"),
        "owner": ("Product manager", "Manager", "manager_id", "Owner", "OwnerId", "Product owner"),
    },
    Kind.FEATURE: {
        "external_id": ("Id", "Feature ID", "Feature reference #", "Post ID", "External ID"),
        "product": ("Product ID", "Product", "Product name", "Board", "Board name", "Workspace name"),
        "title": ("Feature name", "Name", "Title", "Feature title", "Post title"),
        "description": ("Feature description", "Description", "Details", "Post details"),
        "status": ("Feature status", "Status", "Workflow status"),
        "confidence": ("Confidence",),
        "visibility": ("Visibility",),
        "horizon": ("Horizon", "Now/Next/Later", "Timeframe"),
        "effort": ("Effort", "Estimate", "Feature estimate", "Initial estimate"),
        "owner": ("Owner", "owner_id", "Feature owner", "Assigned to", "Assignee", "Owner email"),
    },
    Kind.ASK: {
        "external_id": ("Id", "Note ID", "Ask ID", "Vote ID", "Record ID", "External ID"),
        "account": (
            "AccountId",
            "Account ID",
            "Company ID",
            "Company",
            "Company name",
            "Customer company",
            "Account Name",
            "Account",
            "Organization - Name",
        ),
        "opportunity": ("OpportunityId", "Opportunity ID", "Deal ID", "Opportunity Name", "Deal", "Deal name"),
        "feature": (
            "Feature ID",
            "Feature reference #",
            "Post ID",
            "Feature",
            "Feature name",
            "Features",
            "Linked features",
            "Post title",
        ),
        "need": ("Need", "Note text", "Note content", "Content", "Details", "Description", "Note title", "Title"),
        "why": ("Why", "Problem", "Reason"),
        "importance": ("Importance", "Priority"),
        "source": ("Source", "Note source", "Origin"),
        "owner": ("Requested by", "requested_by_id", "Owner", "Note owner", "Author email", "Created by", "Logged by"),
        "created_at": ("Created at", "Created", "Note created at", "CreatedDate", "Date"),
    },
    Kind.QUOTA: {
        "external_id": ("Id", "Quota ID", "External ID"),
        "owner": ("QuotaOwnerId", "Quota Owner", "user_id", "Owner", "Rep", "User", "Email"),
        "team": ("Team", "Team name", "team_id"),
        "period": ("StartDate", "Start Date", "Period", "Fiscal period"),
        "fiscal_year": ("fiscal_year", "Fiscal year"),
        "fiscal_quarter": ("fiscal_quarter", "Fiscal quarter", "Quarter"),
        "amount": ("QuotaAmount", "Quota Amount", "Amount", "Quota"),
        "currency": ("CurrencyIsoCode", "Currency"),
    },
}

# Headers that only one CRM writes: the source shown on the mapping screen.
SOURCE_MARKS: dict[str, tuple[str, ...]] = {
    ImportJob.Source.SALESFORCE: (
        "StageName",
        "AccountId",
        "OwnerId",
        "Opportunity Name",
        "ForecastCategoryName",
        "IsWon",
        "Opportunity Owner",
        "Account Owner",
        "AnnualRevenue",
        "FirstName",
        "LeadSource",
        "Username",
        "QuotaOwnerId",
        "QuotaAmount",
    ),
    ImportJob.Source.HUBSPOT: (
        "Record ID",
        "Deal Stage",
        "Deal owner",
        "Company owner",
        "Associated Company IDs",
        "Associated Company",
        "Company Domain Name",
        "Lifecycle Stage",
        "Lead Status",
        "Contact owner",
    ),
    ImportJob.Source.PIPEDRIVE: (
        "Deal - Title",
        "Deal - Value",
        "Deal - Stage",
        "Organization - Name",
        "Person - Name",
        "Lead - Title",
        "Lead - Owner",
    ),
    ImportJob.Source.PRODUCTBOARD: ("Note text", "Feature name", "Note title", "Linked features"),
    ImportJob.Source.CANNY: ("Post title", "Post details", "Board", "Post ID"),
    ImportJob.Source.AHA: ("Feature reference #", "Feature status", "Feature description", "Workflow status"),
}


def normalised(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def header_key(kind: str, header: list[str]) -> str:
    """The same header set (in any order, any case) gives the same key: its remembered mapping."""
    names = sorted(normalised(h) for h in header if h)
    return hashlib.sha256(f"{kind}|{'|'.join(names)}".encode()).hexdigest()


def guess_source(header: list[str]) -> str:
    names = {normalised(h) for h in header}
    scores = {source: sum(normalised(mark) in names for mark in marks) for source, marks in SOURCE_MARKS.items()}
    best = max(scores, key=lambda s: scores[s])
    return best if scores[best] else ImportJob.Source.OTHER


def guess_mapping(kind: str, header: list[str]) -> dict[str, str]:
    """Each field to the first header that is one of its names (aliases in order of preference)."""
    by_name = {normalised(h): h for h in reversed(header) if h}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target in TARGETS[kind]:
        for alias in ALIASES[kind].get(target.field, ()):
            column = by_name.get(normalised(alias))
            if column and column not in used:
                mapping[target.field] = column
                used.add(column)
                break
    if "first_name" in mapping and "full_name" in mapping:
        del mapping["full_name"]
    return mapping
