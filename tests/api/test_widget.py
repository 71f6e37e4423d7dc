"""The sample Salesforce widget cannot run here; what can be checked is that it keeps to the tested API: the
path its Apex callout builds is a real route, every field its component reads is in the schema, its metadata
parses and its credentials fit together (the Named Credential uses the External Credential that sends our
Api-Key header; the permission set grants its principal)."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

from coaching.api.views import DealFlagsView
from coaching.api.win_probability import DealWinProbabilityView

ROOT = Path(__file__).resolve().parents[2] / "integrations" / "salesforce" / "widget"
SOURCE = ROOT / "force-app" / "main" / "default"
NS = {"md": "http://soap.sforce.com/2006/04/metadata"}


def metadata(path: str) -> ET.Element:
    return ET.parse(SOURCE / path).getroot()


def test_the_apex_callouts_target_the_flags_and_win_probability_endpoints():
    apex = (SOURCE / "classes" / "CoachAppFlags.cls").read_text()
    paths = re.findall(r"'callout:CoachApp(/api/v1/[^']+)'", apex)
    views = [resolve(path.replace("{0}", "0065g0000000001AAA")).func.view_class for path in paths]
    assert views == [DealFlagsView, DealWinProbabilityView]
    assert "Api-Key" not in apex  # the key comes from the credential, never from code


def test_the_component_calls_only_apex_methods_the_class_exposes():
    apex = (SOURCE / "classes" / "CoachAppFlags.cls").read_text()
    exposed = set(re.findall(r"@AuraEnabled\(cacheable=true\)\s+public static String (\w+)\(", apex))
    script = (SOURCE / "lwc" / "coachDealFlags" / "coachDealFlags.js").read_text()
    imported = set(re.findall(r"@salesforce/apex/CoachAppFlags\.(\w+)", script))
    assert imported == exposed == {"getFlags", "getWinProbability"}
    markup = (SOURCE / "lwc" / "coachDealFlags" / "coachDealFlags.html").read_text()
    # Every field of the win probability the markup shows is one the component sets.
    shown = set(re.findall(r"\{chance\.(\w+)\}", markup))
    assert shown and shown <= set(re.findall(r"^\s+(\w+):\s", script, re.MULTILINE))


@pytest.mark.django_db
def test_the_component_reads_only_fields_the_schema_declares():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    envelope = set(components["Flags"]["properties"])
    flag = set(components["Flag"]["properties"])
    error = set(components["ErrorDetail"]["properties"])
    script = (SOURCE / "lwc" / "coachDealFlags" / "coachDealFlags.js").read_text()
    assert set(re.findall(r"(?<!error\.)\bbody\.(\w+)", script)) <= envelope
    read = set(re.findall(r"\bflag\.(\w+)", script))
    assert read and read <= flag
    chance = set(components["WinProbability"]["properties"])
    answered = set(re.findall(r"\banswer\.(\w+)", script))
    assert {"probability", "stage_probability", "calibration_note", "why_none"} <= answered <= chance
    apex = (SOURCE / "classes" / "CoachAppFlags.cls").read_text()
    assert set(re.findall(r"(?:body|error)\.get\('(\w+)'\)", apex)) <= {"error"} | error


def test_the_metadata_parses_and_the_credentials_fit_together():
    for path in SOURCE.rglob("*.xml"):
        ET.parse(path)  # well-formed
    external = metadata("externalCredentials/CoachApp.externalCredential-meta.xml")
    parameters = external.findall("md:externalCredentialParameters", NS)
    kinds = {p.findtext("md:parameterType", namespaces=NS): p for p in parameters}
    assert kinds["PerUserPrincipal"].findtext("md:parameterName", namespaces=NS) == "CoachAppUser"
    header = kinds["AuthHeader"]
    assert header.findtext("md:parameterName", namespaces=NS) == "Authorization"
    assert header.findtext("md:parameterValue", namespaces=NS) == "{!'Api-Key ' & $Credential.CoachApp.ApiKey}"

    named = metadata("namedCredentials/CoachApp.namedCredential-meta.xml")
    uses = [
        p.findtext("md:externalCredential", namespaces=NS) for p in named.findall("md:namedCredentialParameters", NS)
    ]
    assert "CoachApp" in uses
    assert named.findtext("md:namedCredentialType", namespaces=NS) == "SecuredEndpoint"

    grants = metadata("permissionsets/CoachApp_Widget.permissionset-meta.xml")
    assert grants.findtext("md:classAccesses/md:apexClass", namespaces=NS) == "CoachAppFlags"
    principal = "md:externalCredentialPrincipalAccesses/md:externalCredentialPrincipal"
    assert grants.findtext(principal, namespaces=NS) == "CoachApp-CoachAppUser"

    bundle = metadata("lwc/coachDealFlags/coachDealFlags.js-meta.xml")
    assert bundle.findtext(".//md:object", namespaces=NS) == "Opportunity"
