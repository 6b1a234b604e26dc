// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import io.lakepipe.core.LakepipeErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The pipeline configuration, loaded and validated before Spark starts.
 *
 * <p>Values resolve in this order: the file given with {@code --config}, then environment variables
 * referenced by the defaults (such as {@code LAKEPIPE_HOME}, {@code MLFLOW_TRACKING_URI}), then
 * {@code lakepipe-defaults.conf} in jobs-core, which lists every key beside its default. A key the
 * defaults do not know is an error, so a misspelt setting never passes silently; the open sections
 * (Spark settings, tables, checks, sources, views) take new keys, and whoever reads them validates
 * them.
 */
public final class LakepipeConfig {
  static final String DEFAULTS_RESOURCE = "lakepipe-defaults.conf";
  private static final String ROOT = "lakepipe";

  /**
   * Sections whose keys are free-form and therefore not checked against the defaults: Spark's own
   * settings, and the declarations a data engineer adds without rebuilding (tables, checks,
   * sources, views, models, demo files), which their readers validate.
   */
  private static final List<String> FREE_FORM =
      List.of(
          "lakepipe.spark.conf",
          "lakepipe.tables",
          "lakepipe.checks",
          "lakepipe.sources",
          "lakepipe.features",
          "lakepipe.views",
          "lakepipe.models",
          "lakepipe.demo.files");

  private final Config config;
  private final String origin;

  /** Path of this section under the root, with a trailing dot: "" for the root itself. */
  private final String prefix;

  private LakepipeConfig(Config config, String origin) {
    this(config, origin, "");
  }

  private LakepipeConfig(Config config, String origin, String prefix) {
    this.config = config;
    this.origin = origin;
    this.prefix = prefix;
  }

  /** Loads a config file on top of the defaults, or throws a one-line error naming the problem. */
  public static LakepipeConfig load(Path file) {
    return fromUserConfig(parse(file), file.toString());
  }

  /** {@code file} with {@code overrides} (full keys, {@code lakepipe.}...) over its values. */
  public static LakepipeConfig load(Path file, Map<String, ?> overrides) {
    return fromUserConfig(
        ConfigFactory.parseMap(overrides).withFallback(parse(file)), file.toString());
  }

  /** {@code file} over {@code base} (a file of declarations it builds on), over the defaults. */
  public static LakepipeConfig load(Path file, Path base) {
    return fromUserConfig(parse(file).withFallback(parse(base)), file.toString());
  }

  private static Config parse(Path file) {
    if (!Files.isRegularFile(file)) {
      throw LakepipeErrors.configFileMissing(file.toString());
    }
    try {
      return ConfigFactory.parseFile(
          file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw LakepipeErrors.configInvalid(file.toString(), e.getMessage(), e);
    }
  }

  private static LakepipeConfig fromUserConfig(Config user, String origin) {
    Config defaults =
        ConfigFactory.parseResources(LakepipeConfig.class.getClassLoader(), DEFAULTS_RESOURCE);
    TreeSet<String> unknown = new TreeSet<>();
    for (String key : leafPaths(user.root(), List.of())) {
      boolean freeForm = FREE_FORM.stream().anyMatch(prefix -> key.startsWith(prefix + "."));
      if (key.startsWith(ROOT + ".") && !freeForm && !defaults.hasPathOrNull(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw LakepipeErrors.unknownConfigKeys(origin, unknown);
    }
    Config resolved;
    try {
      resolved =
          user.withFallback(defaults)
              .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
    } catch (ConfigException e) {
      throw LakepipeErrors.configInvalid(origin, e.getMessage(), e);
    }
    TreeSet<String> missing = new TreeSet<>();
    for (String key : leafPaths(defaults.root(), List.of())) {
      if (!resolved.hasPath(key)) {
        missing.add(key);
      }
    }
    if (!missing.isEmpty()) {
      throw LakepipeErrors.configInvalid(origin, "keys " + missing + " are missing or null", null);
    }
    return new LakepipeConfig(resolved.getConfig(ROOT), origin);
  }

  /** Paths of the leaves of a config tree, without resolving substitutions. */
  private static List<String> leafPaths(ConfigObject object, List<String> parent) {
    List<String> paths = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      List<String> path = new ArrayList<>(parent);
      path.add(entry.getKey());
      if (entry.getValue() instanceof ConfigObject child) {
        paths.addAll(leafPaths(child, path));
      } else {
        paths.add(ConfigUtil.joinPath(path));
      }
    }
    return paths;
  }

  /** Where this configuration came from, for log lines. */
  public String origin() {
    return origin;
  }

  /** The full name of this section: {@code lakepipe.checks.x.constraints[0]}. */
  public String path() {
    return prefix.isEmpty() ? ROOT : ROOT + "." + prefix.substring(0, prefix.length() - 1);
  }

  /**
   * The full name of a key of this section, for messages: {@code
   * lakepipe.checks.x.constraints[0].kind}.
   */
  public String path(String key) {
    return ROOT + "." + prefix + key;
  }

  /** Whether the key is set (to something other than null). */
  public boolean has(String key) {
    return config.hasPath(key);
  }

  /** Whether the key holds an object (a section) rather than a value or a list. */
  public boolean isSection(String key) {
    return config.hasPath(key) && config.getValue(key) instanceof ConfigObject;
  }

  /** The keys of this section itself, sorted. */
  public Set<String> keys() {
    return new TreeSet<>(config.root().keySet());
  }

  /**
   * The keys of the object at {@code key}, sorted, such as the declared tables of {@code tables}.
   */
  public Set<String> keys(String key) {
    return read(key, k -> new TreeSet<>(config.getObject(k).keySet()));
  }

  /** The object at {@code key}, read with the same accessors; errors name its keys in full. */
  public LakepipeConfig section(String key) {
    return read(key, k -> new LakepipeConfig(config.getConfig(k), origin, prefix + key + "."));
  }

  /**
   * This configuration with the object at {@code key} overlaid by the object at {@code overrides},
   * when that is set: a declaration's own settings over the shared ones, e.g. a model's {@code
   * models.<name>.train} over {@code train}.
   */
  public LakepipeConfig overlaid(String key, String overrides) {
    if (!has(overrides)) {
      return this;
    }
    Config merged =
        read(overrides, k -> config.getConfig(k)).withFallback(read(key, k -> config.getConfig(k)));
    return new LakepipeConfig(config.withValue(key, merged.root()), origin, prefix);
  }

  /**
   * The file and line that set the key ({@code config/local.conf:12}, or {@code
   * lakepipe-defaults.conf:130} for a default), or of this section when the key is not set.
   */
  public String originOf(String key) {
    ConfigOrigin where =
        config.hasPath(key) ? config.getValue(key).origin() : config.root().origin();
    String file =
        where.resource() != null
            ? where.resource()
            : where.filename() != null ? where.filename() : origin;
    return where.lineNumber() > 0 ? file + ":" + where.lineNumber() : file;
  }

  public String string(String key) {
    return read(key, k -> config.getString(k));
  }

  public int integer(String key) {
    return read(key, k -> config.getInt(k));
  }

  public long longValue(String key) {
    return read(key, k -> config.getLong(k));
  }

  public java.util.List<String> strings(String key) {
    return read(key, k -> config.getStringList(k));
  }

  public List<Integer> integers(String key) {
    return read(key, k -> List.copyOf(config.getIntList(k)));
  }

  /**
   * The objects of a list such as {@code features.flight = [{...}, {...}]}, in order, each read
   * with the same accessors; errors name the element, e.g. {@code lakepipe.features.row[2].expr}.
   */
  public List<LakepipeConfig> sections(String key) {
    List<? extends Config> objects = read(key, k -> config.getConfigList(k));
    List<LakepipeConfig> sections = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      sections.add(new LakepipeConfig(objects.get(i), origin, prefix + key + "[" + i + "]."));
    }
    return sections;
  }

  /**
   * An object whose every value is a list, such as a search grid {@code {max-iter = [10, 50]}}, as
   * its keys (sorted) and unwrapped values: numbers, strings, booleans or nested lists.
   */
  public Map<String, List<Object>> listsByKey(String key) {
    return read(
        key,
        k -> {
          Map<String, List<Object>> lists = new TreeMap<>();
          for (Map.Entry<String, ConfigValue> entry : config.getObject(k).entrySet()) {
            if (!(entry.getValue() instanceof ConfigList list)) {
              throw new ConfigException.WrongType(
                  entry.getValue().origin(),
                  k + "." + entry.getKey(),
                  "a list of values",
                  entry.getValue().valueType().name());
            }
            lists.put(entry.getKey(), List.copyOf(list.unwrapped()));
          }
          return lists;
        });
  }

  /** A HOCON duration such as {@code 7 days} or {@code 36 h}. */
  public java.time.Duration duration(String key) {
    return read(key, k -> config.getDuration(k));
  }

  public boolean bool(String key) {
    return read(key, k -> config.getBoolean(k));
  }

  public double number(String key) {
    return read(key, k -> config.getDouble(k));
  }

  /** Path or URI of a table named in {@code lakepipe.tables}. */
  public String tablePath(String table) {
    return string("tables." + table);
  }

  /** The free-form Spark settings of {@code lakepipe.spark.conf}. */
  public Map<String, String> sparkConf() {
    return read(
        "spark.conf",
        k -> {
          Map<String, String> conf = new LinkedHashMap<>();
          Config section = config.getConfig(k);
          for (Map.Entry<String, ConfigValue> entry : section.entrySet()) {
            // Spark keys contain dots; HOCON quotes them, so strip the quotes of the single path
            // element.
            String sparkKey = entry.getKey().replace("\"", "");
            conf.put(sparkKey, String.valueOf(entry.getValue().unwrapped()));
          }
          return conf;
        });
  }

  private <T> T read(String key, Function<String, T> getter) {
    try {
      return getter.apply(key);
    } catch (ConfigException.Missing e) {
      throw LakepipeErrors.configInvalid(origin, "key lakepipe." + prefix + key + " is missing", e);
    } catch (ConfigException e) {
      throw LakepipeErrors.configInvalid(
          origin,
          prefix.isEmpty() ? e.getMessage() : "lakepipe." + prefix + key + ": " + e.getMessage(),
          e);
    }
  }
}
