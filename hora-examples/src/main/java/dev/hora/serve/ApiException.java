package dev.hora.serve;

/**
 * A request that cannot be served, with the HTTP status and the message the client gets as
 * {@code {"error": MESSAGE, "status": STATUS}} (never a stack trace).
 */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status code (4xx for the client's mistakes, 503 while shutting down). */
    public int status() {
        return status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException unprocessable(String message) {
        return new ApiException(422, message);
    }

    static ApiException tooLarge(String message) {
        return new ApiException(413, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    static ApiException forbidden(String message) {
        return new ApiException(403, message);
    }
}
