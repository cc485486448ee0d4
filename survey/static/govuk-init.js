// Starts GOV.UK Frontend's components (loaded as a module, so browsers too old for it run nothing and
// keep the plain HTML behaviour that every page works with).
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();
