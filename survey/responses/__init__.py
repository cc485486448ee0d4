"""Survey responses: the residents' online survey, interviews in the field, answers, contact details and feedback."""
