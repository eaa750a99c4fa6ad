package org.ocppcore.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ocppcore.TestServer.await;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.ocppcore.TestServer;
import org.ocppcore.testsupport.TempFiles;
import org.ocppcore.testsupport.TestCharger;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The UI in Debian's headless Chromium, driven by Selenium: log in, create a charge point and a
 * tag, connect a simulated charger and watch its tile change without a reload, start and stop a
 * transaction from the connectors page, see the charging curve, export CSV and XLSX and read the
 * files back, switch to German, and check what a plain user sees. Screenshots of the main pages go
 * to {@code target/ui-screenshots/}.
 *
 * <p>Outside CI a missing browser skips the test with a loud message; with {@code CI=true} it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiBrowserTest {
  private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/lib/chromium/chromium",
      "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
  private static final String DRIVER = "/usr/bin/chromedriver";
  private static final String CP = "UICP1";
  private static final String CP_PASSWORD = "garage-secret-0123";

  private TestServer server;
  private WebDriver driver;
  private WebDriverWait wait;
  private Path downloads;
  private Path profile;
  private Path screenshots;
  private String base;
  private final AtomicReference<TestCharger> charger = new AtomicReference<>();
  private final AtomicLong transactionId = new AtomicLong();
  private final Instant txStart = Instant.now().minus(40, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);

  @BeforeAll
  void start() throws Exception {
    String browser = BROWSERS.stream().filter(p -> new File(p).canExecute()).findFirst().orElse(null);
    boolean available = browser != null && new File(DRIVER).canExecute();
    if (!available) {
      String message = "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
          + "!!! UiBrowserTest needs Chromium and chromedriver (apt-get install chromium chromium-driver)\n"
          + "!!! none found at " + BROWSERS + " / " + DRIVER + "\n"
          + "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!";
      System.err.println(message);
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true but the browser is missing:" + message);
      }
      Assumptions.assumeTrue(available, message);
    }
    server = UiFixture.start(new JsonObject().put("log", new JsonObject().put("dbMessageLog", 1)));
    base = "http://127.0.0.1:" + server.httpPort();
    screenshots = Path.of(System.getProperty("basedir", "."), "target", "ui-screenshots");
    Files.createDirectories(screenshots);
    downloads = Files.createTempDirectory("ui-downloads");
    profile = Files.createTempDirectory("ui-chromium");

    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-US");
    Map<String, Object> prefs = new HashMap<>();
    prefs.put("download.default_directory", downloads.toString());
    prefs.put("download.prompt_for_download", false);
    prefs.put("intl.accept_languages", "en-US,en");
    options.setExperimentalOption("prefs", prefs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(50));
    // a condition polled while a click replaces the page may meet the old page's elements going
    // away (Chrome: a stale element, "Node with given id does not belong to the document", or the
    // script's context destroyed): polled again; a condition that never holds still fails at the timeout
    wait.ignoring(org.openqa.selenium.WebDriverException.class);
  }

  @AfterAll
  void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    TempFiles.deleteTree(profile);
    TempFiles.deleteTree(downloads);
    TestCharger cp = charger.get();
    if (cp != null && !cp.isClosed()) {
      await(cp.close());
    }
    if (server != null) {
      server.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  private void open(String path) {
    driver.get(base + path);
  }

  private WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /** A screenshot of the whole page (the window is stretched to the page's height for it). */
  private void screenshot(String name) throws Exception {
    Dimension size = driver.manage().window().getSize();
    long height = ((Number) js("return document.documentElement.scrollHeight;")).longValue();
    driver.manage().window().setSize(new Dimension(size.getWidth(), (int) Math.min(4000, Math.max(size.getHeight(),
        height + 140))));
    Files.write(screenshots.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    driver.manage().window().setSize(size);
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private String flash() {
    return wait.until(UiBrowserTest::flashText);
  }

  /**
   * The page's message, read in one script: after a form post the old page may still be there for
   * a moment, and an element found on it can be gone before its text is read (Chrome then reports
   * "Node with given id does not belong to the document", not a stale element); null when none.
   */
  private static String flashText(WebDriver d) {
    return (String) ((JavascriptExecutor) d).executeScript(
        "var f = document.querySelector('.flash'); return f ? f.innerText : null;");
  }

  /** Waits until the page's message contains {@code expected}; fails with the last message seen. */
  private void assertFlash(String expected) {
    try {
      wait.until(d -> {
        String text = flashText(d);
        return text != null && text.contains(expected);
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("expected a message containing \"" + expected + "\", saw: " + flash(), e);
    }
  }

  private void login(String user, String password) {
    open("/login");
    find("#username").sendKeys(user);
    find("#password").sendKeys(password);
    find("#login-form button[type=submit]").click();
    wait.until(d -> d.findElements(By.id("logout")).size() == 1);
  }

  private WebElement tile() {
    return find(".tile[data-cp='" + CP + "']");
  }

  private String tileStatus() {
    return tile().findElement(By.cssSelector("[data-role=status]")).getText();
  }

  private JsonObject sample(String measurand, String value, String unit) {
    return new JsonObject().put("measurand", measurand).put("value", value).put("unit", unit);
  }

  /** A meter reading of the running transaction, minutes after its start. */
  private Future<JsonArray> meter(TestCharger cp, int minutes, int wh, int watts, int soc) {
    return cp.call("MeterValues", new JsonObject().put("connectorId", 1).put("transactionId", transactionId.get())
        .put("meterValue", new JsonArray().add(new JsonObject().put("timestamp", txStart.plus(minutes, ChronoUnit.MINUTES)
            .toString()).put("sampledValue", new JsonArray()
            .add(sample("Energy.Active.Import.Register", String.valueOf(wh), "Wh"))
            .add(sample("Power.Active.Import", String.valueOf(watts), "W"))
            .add(sample("SoC", String.valueOf(soc), "Percent").put("location", "EV"))))));
  }

  private JsonObject status(String status) {
    return new JsonObject().put("connectorId", 1).put("status", status).put("errorCode", "NoError");
  }

  /** The simulated charger: accepts remote start/stop and then runs the transaction like a wallbox. */
  private TestCharger connectCharger() throws Exception {
    TestCharger.Options o = new TestCharger.Options().basicAuth(CP, CP_PASSWORD)
        .onCall("RemoteStartTransaction", p -> {
          TestCharger cp = charger.get();
          server.vertx().setTimer(50, t -> cp.call("StartTransaction", new JsonObject().put("connectorId", 1)
                  .put("idTag", p.getString("idTag")).put("meterStart", 10_000).put("timestamp", txStart.toString()))
              .compose(reply -> {
                transactionId.set(reply.getJsonObject(2).getLong("transactionId"));
                return cp.call("StatusNotification", status("Charging"));
              })
              .compose(v -> meter(cp, 10, 11_800, 11_000, 40))
              .compose(v -> meter(cp, 20, 13_700, 11_200, 52))
              .compose(v -> meter(cp, 30, 15_100, 7_000, 61)));
          return new JsonObject().put("status", "Accepted");
        })
        .onCall("RemoteStopTransaction", p -> {
          TestCharger cp = charger.get();
          server.vertx().setTimer(50, t -> cp.call("StopTransaction", new JsonObject()
                  .put("transactionId", p.getLong("transactionId")).put("meterStop", 16_000)
                  .put("timestamp", txStart.plus(40, ChronoUnit.MINUTES).toString()).put("reason", "Remote"))
              .compose(v -> cp.call("StatusNotification", status("Available"))));
          return new JsonObject().put("status", "Accepted");
        })
        .onCall("GetConfiguration", p -> new JsonObject().put("configurationKey", new JsonArray()
            .add(new JsonObject().put("key", "HeartbeatInterval").put("readonly", false).put("value", "300"))
            .add(new JsonObject().put("key", "MeterValueSampleInterval").put("readonly", false).put("value", "60"))
            .add(new JsonObject().put("key", "NumberOfConnectors").put("readonly", true).put("value", "1"))))
        .onCall("ChangeConfiguration", p -> new JsonObject().put("status", "Accepted"));
    TestCharger cp = await(TestCharger.connect(server.vertx(), server.wsUrl(CP), o));
    charger.set(cp);
    return cp;
  }

  // ------------------------------------------------------------------ the walk through

  @Test
  void operatorWalkThrough() throws Exception {
    // a wrong password shows an error
    open("/login");
    screenshot("01-login");
    find("#username").sendKeys(UiFixture.ADMIN);
    find("#password").sendKeys("not-the-password");
    find("#login-form button[type=submit]").click();
    assertEquals("Wrong user name or password.", wait.until(d -> d.findElement(By.id("login-error"))).getText());
    login(UiFixture.ADMIN, UiFixture.ADMIN_PASSWORD);

    // create a charge point and a tag
    open("/chargepoints");
    find("#new-chargepoint").click();
    find("#id").sendKeys(CP);
    find("#name").sendKeys("Garage");
    find("#comment").sendKeys("left of the door");
    find("#password").sendKeys(CP_PASSWORD);
    screenshot("02-chargepoint-form");
    find("#save-chargepoint").click();
    assertFlash("Charge point " + CP + " created.");
    assertEquals(1, server.query("SELECT * FROM ChargePoint WHERE ChargePointId = ? AND Name = 'Garage' "
        + "AND PasswordHash IS NOT NULL", CP).size());
    open("/tags/new");
    find("#tagId").sendKeys("TAGUI1");
    find("#name").sendKeys("Anna");
    find("#parentTagId").sendKeys("FAMILY");
    find("#save-tag").click();
    assertFlash("Tag TAGUI1 created.");
    open("/tags/new");
    find("#tagId").sendKeys("TAGUI2");
    find("#name").sendKeys("=HYPERLINK(\"http://x\")"); // a formula must stay text in the exports
    find("#blocked").click();
    find("#save-tag").click();
    screenshot("03-tags");

    // the overview: a tile that follows the charger live, without a reload
    open("/");
    wait.until(d -> "on".equals(d.findElement(By.id("live-state")).getAttribute("data-state")));
    assertEquals("offline", tile().findElement(By.cssSelector("[data-role=online]")).getText());
    js("window.__sameDocument = 'yes';");
    TestCharger cp = connectCharger();
    wait.until(d -> "true".equals(tile().getAttribute("data-online")));
    await(cp.call("BootNotification", new JsonObject().put("chargePointVendor", "ACME").put("chargePointModel",
        "Wallbox 22").put("chargePointSerialNumber", "SN-UI-1").put("firmwareVersion", "4.2.0")));
    await(cp.call("StatusNotification", status("Available")));
    wait.until(d -> "1".equals(tile().getAttribute("data-connector")) && tileStatus().equals("Available"));
    await(cp.call("StatusNotification", status("Preparing")));
    wait.until(d -> tileStatus().equals("Preparing"));
    assertTrue(tile().getAttribute("class").contains("st-occupied"), tile().getAttribute("class"));
    assertEquals("yes", js("return window.__sameDocument;"), "the page was not reloaded");

    // start a transaction from the connectors page (tag picker), with the charger's answer shown
    open("/connectors");
    WebElement row = find("tr[data-cp='" + CP + "'][data-connector='1']");
    new Select(row.findElement(By.cssSelector("select[data-role=tag]"))).selectByValue("TAGUI1");
    row.findElement(By.cssSelector("button[data-action=start]")).click();
    assertFlash("RemoteStartTransaction: Accepted");
    assertEquals("TAGUI1", cp.receivedCalls("RemoteStartTransaction").get(0).getJsonObject(3).getString("idTag"));
    waitFor(() -> server.query("SELECT * FROM MeterSample WHERE TransactionId = ?", transactionId.get()).size() >= 9);

    // the tile shows the charging state and takes live meter values
    open("/");
    wait.until(d -> tileStatus().equals("Charging"));
    js("window.__sameDocument = 'again';");
    await(meter(cp, 35, 15_700, 7_400, 66));
    wait.until(d -> tile().findElement(By.cssSelector("[data-role=power]")).getText().equals("7.4 kW"));
    assertEquals("66 %", tile().findElement(By.cssSelector("[data-role=soc]")).getText());
    assertTrue(tile().findElement(By.cssSelector("[data-role=body]")).getText().startsWith("Charging for"));
    assertEquals("again", js("return window.__sameDocument;"));
    screenshot("04-overview-charging");

    // stop it (confirmed) from the connectors page
    open("/connectors");
    screenshot("05-connectors");
    find("tr[data-cp='" + CP + "'][data-connector='1'] button[data-action=stop]").click();
    wait.until(d -> {
      try {
        d.switchTo().alert().accept();
        return true;
      } catch (org.openqa.selenium.NoAlertPresentException e) {
        return false;
      }
    });
    assertFlash("RemoteStopTransaction: Accepted");
    waitFor(() -> server.query("SELECT * FROM Transactions WHERE TransactionId = ? AND StopTime IS NOT NULL",
        transactionId.get()).size() == 1);

    // the transaction's page with its charging curve
    open("/transactions?cp=" + CP);
    screenshot("06-transactions");
    find("a[href='/transactions/" + transactionId.get() + "']").click();
    WebElement chart = wait.until(d -> d.findElement(By.cssSelector("#curve svg.chart")));
    assertEquals(6, chart.findElement(By.cssSelector("polyline.line-energy")).getAttribute("points").trim().split(" ").length,
        "start, four readings and the stop");
    assertFalse(chart.findElement(By.cssSelector("polyline.line-power")).getAttribute("points").isBlank());
    assertEquals("6.000", find("#tx-energy").getText());
    screenshot("07-transaction-curve");

    exportsAreReadable();
    otherPages();
    german();
    plainUser();
  }

  private void waitFor(java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(50);
    }
  }

  /** Clicks an export link and waits for the downloaded file. */
  private Path download(String linkCss, String suffix) throws Exception {
    try (Stream<Path> before = Files.list(downloads)) {
      before.forEach(p -> p.toFile().delete());
    }
    find(linkCss).click();
    Path[] found = new Path[1];
    waitFor(() -> {
      try (Stream<Path> files = Files.list(downloads)) {
        found[0] = files.filter(p -> p.toString().endsWith(suffix)).findFirst().orElse(null);
      }
      return found[0] != null && Files.size(found[0]) > 0;
    });
    return found[0];
  }

  private void exportsAreReadable() throws Exception {
    open("/transactions?cp=" + CP + "&days=90");
    String href = find("#export-csv").getAttribute("href");
    assertTrue(href.contains("tz="), "the page adds the browser's time zone: " + href);
    String csv = Files.readString(download("#export-csv", ".csv"), StandardCharsets.UTF_8);
    String[] lines = csv.replace("\uFEFF", "").split("\r\n");
    assertEquals(2, lines.length, csv);
    assertEquals("Transaction,Charge point,Connector,Start time,Start tag,Start meter (kWh),Stop time,Stop tag,"
        + "Stop meter (kWh),Energy (kWh)", lines[0]);
    assertTrue(lines[1].startsWith(transactionId.get() + "," + CP + ",1,"), lines[1]);
    assertTrue(lines[1].contains(",Anna,10,"), lines[1]);
    assertTrue(lines[1].endsWith(",16,6"), lines[1]);

    Path xlsx = download("#export-xlsx", ".xlsx");
    Map<String, String> cells = XlsxReader.cells(Files.readAllBytes(xlsx));
    assertEquals("Energy (kWh)", cells.get("J1"));
    assertEquals(String.valueOf(transactionId.get()), cells.get("A2"));
    assertEquals("Anna", cells.get("E2"));
    assertEquals("6.0", cells.get("J2"));
    assertTrue(Double.parseDouble(cells.get("D2")) > 40_000, "the start time is a date serial: " + cells.get("D2"));

    // the charge report, grouped by the tag's group, and its export
    open("/report?from=" + txStart.minus(1, ChronoUnit.DAYS).toString().substring(0, 10) + "&to="
        + Instant.now().plus(1, ChronoUnit.DAYS).toString().substring(0, 10));
    WebElement table = find("#report-table");
    assertTrue(table.getText().contains("FAMILY"), table.getText());
    assertEquals("6.00", find("#report-total").getText());
    screenshot("08-report");
    Map<String, String> summary = XlsxReader.cells(Files.readAllBytes(download("#report-summary-xlsx", ".xlsx")));
    assertEquals("FAMILY", summary.get("A2"));
    assertEquals("Anna", summary.get("B2"));
    assertEquals("6.0", summary.get("C2"));
  }

  private void otherPages() throws Exception {
    open("/chargepoints/" + CP);
    assertTrue(find("#boot-data").getText().contains("Wallbox 22"));
    assertTrue(find("#status-history").getText().contains("Charging"));
    screenshot("09-chargepoint");

    open("/chargepoints/" + CP + "/configuration");
    find("#read-configuration").click();
    assertFlash("Configuration read: 3 keys.");
    WebElement heartbeat = find("tr[data-key='HeartbeatInterval'] input[name=value]");
    heartbeat.clear();
    heartbeat.sendKeys("120");
    find("tr[data-key='HeartbeatInterval'] button").click();
    assertFlash("ChangeConfiguration: Accepted");
    assertEquals("120", find("tr[data-key='HeartbeatInterval'] input[name=value]").getAttribute("value"));
    assertEquals("120", charger.get().receivedCalls("ChangeConfiguration").get(0).getJsonObject(3).getString("value"));
    screenshot("10-configuration");

    open("/diagnostics");
    assertEquals("0", find("#stat-anomalies").getText());
    screenshot("11-diagnostics");

    open("/messages?source=" + CP);
    assertTrue(find("#messages-table").getText().contains("Command:RemoteStartTransaction"));
    screenshot("12-messages");
    open("/chargepoints");
    screenshot("13-chargepoints");
  }

  private void german() throws Exception {
    open("/");
    find("button[name=lang][value=de]").click();
    wait.until(d -> "de".equals(d.findElement(By.tagName("html")).getAttribute("lang")));
    assertEquals("Übersicht", find("h1").getText());
    wait.until(d -> tileStatus().equals("Frei"));
    driver.navigate().refresh();
    assertEquals("Übersicht", find("h1").getText(), "the choice is remembered");
    screenshot("14-overview-de");
    open("/transactions/" + transactionId.get());
    assertTrue(find("#curve figcaption").getText().contains("Leistung (kW)"));
    assertEquals("6,000", find("#tx-energy").getText());
    screenshot("15-transaction-de");
    find("button[name=lang][value=en]").click();
    wait.until(d -> "en".equals(d.findElement(By.tagName("html")).getAttribute("lang")));
  }

  private void plainUser() throws Exception {
    find("#logout").click();
    wait.until(d -> d.findElements(By.id("login-form")).size() == 1);
    login(UiFixture.USER, UiFixture.USER_PASSWORD);
    assertTrue(driver.findElements(By.cssSelector("a[href='/tags']")).isEmpty(), "no administration for a user");
    assertTrue(driver.findElements(By.cssSelector("button[data-action]")).isEmpty());
    open("/connectors");
    assertTrue(driver.findElements(By.cssSelector("button[data-action]")).isEmpty(), "no commands for a user");
    open("/tags");
    assertEquals("Only administrators may do this.", find("#error-message").getText());
    open("/");
    driver.manage().window().setSize(new Dimension(390, 844));
    screenshot("16-overview-phone");
    assertNull(js("return document.documentElement.scrollWidth > window.innerWidth + 1 ? 'overflow' : null;"),
        "no sideways scrolling on a phone");
    driver.manage().window().setSize(new Dimension(1280, 900));
  }

  /** Reads the cells of sheet 1 of an XLSX (inline strings and numbers) with plain java.util.zip and DOM. */
  static final class XlsxReader {
    private XlsxReader() {}

    static Map<String, String> cells(byte[] xlsx) throws Exception {
      byte[] sheet = null;
      try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new ByteArrayInputStream(xlsx))) {
        for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
          if (e.getName().equals("xl/worksheets/sheet1.xml")) {
            sheet = zip.readAllBytes();
          }
        }
      }
      assertNotNull(sheet, "no sheet1.xml in the workbook");
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(sheet));
      NodeList cells = doc.getElementsByTagName("c");
      Map<String, String> out = new HashMap<>();
      for (int i = 0; i < cells.getLength(); i++) {
        org.w3c.dom.Element c = (org.w3c.dom.Element) cells.item(i);
        assertEquals(0, c.getElementsByTagName("f").getLength(), "no formulas in an export");
        out.put(c.getAttribute("r"), c.getTextContent());
      }
      return out;
    }
  }
}
