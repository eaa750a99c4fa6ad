package org.ocppcore.web;

import freemarker.cache.ClassTemplateLoader;
import freemarker.core.Environment;
import freemarker.core.HTMLOutputFormat;
import freemarker.template.Configuration;
import freemarker.template.DefaultObjectWrapper;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import freemarker.template.TemplateMethodModelEx;
import freemarker.template.TemplateModel;
import freemarker.template.TemplateModelException;
import freemarker.template.utility.DeepUnwrap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * FreeMarker, used directly rather than through vertx-web's template engine: templates come from
 * the classpath only ({@code ui-templates/}, never shadowed by a folder in the working
 * directory), are read as UTF-8 whatever {@code file.encoding} says, and are HTML auto-escaped
 * ({@code .ftlh}). Rendering is in memory on the calling event loop; every template is parsed and
 * cached at start ({@link #preload}), so a request never reads the jar.
 */
final class Templates {
  static final List<String> NAMES = List.of("layout", "actions", "login", "error", "overview", "transactions", "transaction",
      "report", "chargepoints", "chargepoint", "chargepoint-form", "configuration", "connectors", "connector-form",
      "tags", "tag-form", "diagnostics", "messages");

  private final Configuration cfg;
  private final I18n i18n;

  Templates(I18n i18n) {
    this.i18n = i18n;
    cfg = new Configuration(Configuration.VERSION_2_3_33);
    cfg.setTemplateLoader(new ClassTemplateLoader(Templates.class.getClassLoader(), "ui-templates"));
    cfg.setDefaultEncoding("UTF-8");
    cfg.setOutputEncoding("UTF-8");
    cfg.setURLEscapingCharset("UTF-8");
    cfg.setOutputFormat(HTMLOutputFormat.INSTANCE);
    cfg.setLocalizedLookup(false);
    cfg.setNumberFormat("0.###");
    cfg.setBooleanFormat("c");
    cfg.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
    cfg.setLogTemplateExceptions(false);
    cfg.setWrapUncheckedExceptions(true);
    cfg.setFallbackOnNullLoopVariable(false);
    cfg.setObjectWrapper(new JsonWrapper());
    cfg.setTemplateUpdateDelayMilliseconds(Long.MAX_VALUE); // classpath templates never change
  }

  /** Parses every template once (blocking: at start, off the event loop). */
  Templates preload() {
    for (String name : NAMES) {
      try {
        cfg.getTemplate(name + ".ftlh");
      } catch (IOException e) {
        throw new UncheckedIOException("template " + name + ": " + e.getMessage(), e);
      }
    }
    return this;
  }

  /** Renders a page in the given language; a template error throws (a 500, never half a page). */
  String render(String name, String lang, Map<String, Object> model) {
    try {
      Template template = cfg.getTemplate(name + ".ftlh");
      model.put("t", (TemplateMethodModelEx) args -> translate(lang, args));
      model.put("lang", lang);
      StringWriter out = new StringWriter(8192);
      Environment env = template.createProcessingEnvironment(model, out);
      env.setLocale(Locale.forLanguageTag(lang));
      env.process();
      return out.toString();
    } catch (IOException | TemplateException e) {
      throw new IllegalStateException("rendering " + name + ": " + e.getMessage(), e);
    }
  }

  private Object translate(String lang, List<?> args) throws TemplateModelException {
    if (args.isEmpty()) {
      throw new TemplateModelException("t(key, args...) needs a key");
    }
    String key = String.valueOf(DeepUnwrap.unwrap((TemplateModel) args.get(0)));
    Object[] rest = new Object[args.size() - 1];
    for (int i = 1; i < args.size(); i++) {
      rest[i - 1] = DeepUnwrap.unwrap((TemplateModel) args.get(i));
    }
    try {
      return i18n.text(lang, key, rest);
    } catch (IllegalArgumentException e) {
      throw new TemplateModelException(e.getMessage());
    }
  }

  /** Vert.x JSON as FreeMarker hashes and sequences (nested values are wrapped on access). */
  private static final class JsonWrapper extends DefaultObjectWrapper {
    JsonWrapper() {
      super(Configuration.VERSION_2_3_33);
    }

    @Override
    public TemplateModel wrap(Object obj) throws TemplateModelException {
      if (obj instanceof JsonObject o) {
        return super.wrap(o.getMap());
      }
      if (obj instanceof JsonArray a) {
        return super.wrap(a.getList());
      }
      return super.wrap(obj);
    }
  }
}
