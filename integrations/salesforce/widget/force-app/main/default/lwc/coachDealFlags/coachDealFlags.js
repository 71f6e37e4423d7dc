// Coaching flags of the Opportunity this component sits on, from coachapp (GET /api/v1/opportunities/{id}/flags
// through the CoachAppFlags Apex callout). Shows what coachapp shows the running user's API key; nothing is cached
// here beyond Lightning's own cache of the cacheable Apex method.
import { LightningElement, api, wire } from "lwc";
import getFlags from "@salesforce/apex/CoachAppFlags.getFlags";
import getWinProbability from "@salesforce/apex/CoachAppFlags.getWinProbability";

const percent = (share) => `${Math.round(share * 100)} %`;

export default class CoachDealFlags extends LightningElement {
    @api recordId;
    flags = [];
    weekStart = null;
    error = null;
    loaded = false;
    chance = null;

    // The deal's win probability from the org's own closed deals (GET …/win-probability): the figure beside the
    // stage's, and how far to trust it; or why there is none yet. A failure here leaves the flags shown.
    @wire(getWinProbability, { opportunityId: "$recordId" })
    receivedChance({ data, error }) {
        if (data) {
            const answer = JSON.parse(data);
            const known = answer.probability !== null && answer.probability !== undefined;
            this.chance = {
                headline: known ? `Win probability ${percent(answer.probability)}` : "No win probability yet",
                stage:
                    known && answer.stage_probability !== null && answer.stage_probability !== undefined
                        ? `(the stage says ${percent(answer.stage_probability)})`
                        : "",
                note: known ? answer.calibration_note : answer.why_none
            };
        } else if (error) {
            this.chance = null;
        }
    }

    @wire(getFlags, { opportunityId: "$recordId" })
    received({ data, error }) {
        if (data) {
            const body = JSON.parse(data);
            this.weekStart = body.week_start;
            this.flags = body.flags.map((flag) => ({
                key: String(flag.id),
                title: flag.title,
                summary: flag.summary,
                scope: flag.level === "deal" ? "This deal" : "Across the owner's deals",
                age: flag.weeks_open > 1 ? `Week ${flag.weeks_open}` : "New this week"
            }));
            this.error = null;
            this.loaded = true;
        } else if (error) {
            this.error = error.body && error.body.message ? error.body.message : "coachapp could not be reached.";
            this.flags = [];
            this.loaded = true;
        }
    }

    get hasFlags() {
        return this.flags.length > 0;
    }

    get emptyMessage() {
        return this.weekStart
            ? `No coaching flags on this deal in the week of ${this.weekStart}.`
            : "coachapp has no coaching flags yet.";
    }
}
