package dev.agentflow.standalone;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The architecture as rules that fail the build: which module may use which (the graph of the poms,
 * also drawn in docs/architecture.md), a contract free of Kafka Streams and Spring, domain packages
 * free of Kafka and Spring, and no two classes that need each other.
 */
class ArchitectureTest {

    /** Each module's packages. */
    private static final Map<String, String> MODULES = new LinkedHashMap<>();

    static {
        MODULES.put("schemas", "dev.agentflow.schemas..");
        MODULES.put("runtime", "dev.agentflow.runtime..");
        MODULES.put("web", "dev.agentflow.web..");
        MODULES.put("views-api", "dev.agentflow.views..");
        MODULES.put("projection-service", "dev.agentflow.projection..");
        MODULES.put("command-api", "dev.agentflow.api..");
        MODULES.put("step-processor", "dev.agentflow.processor..");
        MODULES.put("standalone", "dev.agentflow.standalone..");
    }

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.agentflow");

    @Test
    void everyModuleIsImported() {
        MODULES.values().forEach(packages -> assertThat(CLASSES.stream()
                .anyMatch(c -> c.getPackageName().startsWith(packages.replace("..", "")))).as(packages).isTrue());
    }

    @Test
    void modulesUseOnlyTheModulesTheirPomsDependOn() throws IOException {
        Map<String, Set<String>> graph = compileClosure(pomGraph());
        var architecture = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (Map.Entry<String, String> module : MODULES.entrySet()) {
            architecture = architecture.layer(module.getKey()).definedBy(module.getValue());
        }
        for (String module : MODULES.keySet()) {
            String[] uses = graph.get(module).toArray(String[]::new);
            architecture = uses.length == 0 ? architecture.whereLayer(module).mayNotAccessAnyLayer()
                    : architecture.whereLayer(module).mayOnlyAccessLayers(uses);
        }
        architecture.check(CLASSES);
    }

    @Test
    void theModuleGraphInTheDocsIsThePomsGraph() throws IOException {
        String docs = Files.readString(root().resolve("docs/architecture.md"));
        Matcher block = Pattern.compile("<!-- module-graph -->\\s*```\\s*(.*?)```", Pattern.DOTALL).matcher(docs);
        assertThat(block.find()).as("docs/architecture.md has a module-graph block").isTrue();
        Map<String, Set<String>> documented = new TreeMap<>();
        for (String line : block.group(1).strip().split("\n")) {
            String[] sides = line.split("→");
            Set<String> uses = new TreeSet<>();
            for (String used : sides[1].split(",")) {
                if (!used.isBlank() && !used.strip().equals("(nothing)")) {
                    uses.add(used.strip());
                }
            }
            documented.put(sides[0].strip(), uses);
        }
        assertThat(documented).isEqualTo(new TreeMap<>(pomGraph()));
    }

    @Test
    void theContractHasNoKafkaStreamsNoSpringAndNoRuntime() {
        noClasses().that().resideInAPackage("dev.agentflow.schemas..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams..", "org.springframework..")
                .check(CLASSES);
    }

    @Test
    void domainPackagesAndViewFoldsUseNeitherKafkaNorSpring() {
        noClasses().that().resideInAnyPackage("..domain..", "dev.agentflow.runtime.decider..",
                        "dev.agentflow.projection.view..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.springframework..")
                .check(CLASSES);
    }

    @Test
    void noPackagesDependOnEachOtherInACycle() {
        slices().matching("dev.agentflow.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void noFilesDependOnEachOtherInACycle() {
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                JavaClass file = javaClass;
                while (file.getEnclosingClass().isPresent()) {
                    file = file.getEnclosingClass().get();
                }
                return SliceIdentifier.of(file.getName());
            }

            @Override
            public String getDescription() {
                return "source files";
            }
        }).should().beFreeOfCycles().check(CLASSES);
    }

    /**
     * What each module's classes may use: the modules on its compile classpath, its pom's
     * dependencies and theirs (a dependency at run time only does not count).
     */
    static Map<String, Set<String>> compileClosure(Map<String, Set<String>> graph) {
        Map<String, Set<String>> closure = new LinkedHashMap<>();
        for (String module : graph.keySet()) {
            Set<String> reached = new TreeSet<>();
            Deque<String> todo = new ArrayDeque<>(graph.get(module));
            while (!todo.isEmpty()) {
                String next = todo.pop();
                if (!next.endsWith(RUNTIME) && reached.add(next)) {
                    todo.addAll(graph.get(next));
                }
            }
            closure.put(module, reached);
        }
        return closure;
    }

    private static final String RUNTIME = " (runtime)";

    /**
     * module → the agentflow modules its pom depends on, those at run time only marked
     * {@value #RUNTIME}.
     */
    static Map<String, Set<String>> pomGraph() throws IOException {
        Pattern dependency = Pattern.compile("<dependency>\\s*<groupId>dev\\.agentflow</groupId>\\s*"
                + "<artifactId>([a-z-]+)</artifactId>(.*?)</dependency>", Pattern.DOTALL);
        Map<String, Set<String>> graph = new LinkedHashMap<>();
        for (String module : MODULES.keySet()) {
            String pom = Files.readString(root().resolve(module).resolve("pom.xml"));
            Set<String> uses = new TreeSet<>();
            Matcher m = dependency.matcher(pom.substring(pom.indexOf("<dependencies>")));
            while (m.find()) {
                if (!m.group(2).contains("<scope>test</scope>") && !m.group(2).contains("<scope>provided</scope>")
                        && MODULES.containsKey(m.group(1))) {
                    uses.add(m.group(1) + (m.group(2).contains("<scope>runtime</scope>") ? RUNTIME : ""));
                }
            }
            graph.put(module, uses);
        }
        return graph;
    }

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        return Files.exists(dir.resolve("docs")) ? dir : dir.getParent();
    }
}
