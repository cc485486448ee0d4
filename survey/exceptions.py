"""Domain errors; `survey.errors` maps each to an HTTP status and a friendly page."""


class ServiceError(Exception):
    """A request the platform refuses, with a message fit to show a user."""

    status_code = 400
    title = "Something is not right"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(ServiceError):
    status_code = 404
    title = "Page not found"


class CampaignClosedError(ServiceError):
    status_code = 410
    title = "This survey has closed"


class LicenceRequiredError(ServiceError):
    status_code = 409
    title = "A licence must be recorded first"


class EditedMeanwhileError(ServiceError):
    """Someone saved the row after this form was opened: saving would silently undo their change."""

    status_code = 409
    title = "Changed by someone else"


class InstrumentChangedError(ServiceError):
    status_code = 409
    title = "Instrument changed without a new version"
