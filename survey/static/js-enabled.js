// GOV.UK Frontend's JavaScript-detection snippet, moved out of the page because the Content Security
// Policy allows no inline script. Loaded first thing in <body> (not deferred) so components styled for
// JavaScript never flash their no-JavaScript form.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
