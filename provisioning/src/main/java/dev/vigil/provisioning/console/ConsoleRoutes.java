package dev.vigil.provisioning.console;

/** Which page answers which method and path; GET never changes anything, every change is a POST. */
final class ConsoleRoutes {

    private final Page overview;
    private final Page device;
    private final Page actions;
    private final Page events;
    private final Page audit;
    private final Page tokens;

    ConsoleRoutes(Operations operations, Layout layout, String csrf) {
        DevicePage devicePage = new DevicePage(operations, layout, new DeviceActions.Forms(csrf));
        this.overview = new OverviewPage(operations, layout);
        this.device = devicePage;
        this.actions = new DeviceActions(operations, devicePage);
        this.events = new EventsPage(operations, layout);
        this.audit = new AuditPage(operations, layout);
        this.tokens = new TokensPage(operations, layout, csrf);
    }

    /** The page for {@code request}; null: no such page (404). See {@link #allows} for the method (405). */
    Page route(ConsoleRequest request) {
        java.util.List<String> segments = request.segments();
        if (!segments.isEmpty() && segments.get(0).equals("devices")) {
            return segments.size() == 2 ? device : segments.size() == 3 ? actions : null;
        }
        return switch (request.path()) {
            case "/" -> overview;
            case "/events" -> events;
            case "/audit" -> audit;
            case "/tokens" -> tokens;
            default -> null;
        };
    }

    /** May {@code page} answer this method? Actions only POST, views only GET; the tokens page both. */
    boolean allows(Page page, ConsoleRequest request) {
        if (page == tokens) {
            return true;
        }
        return request.isPost() == (page == actions);
    }
}
