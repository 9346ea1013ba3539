//! `cargo xtask definitions [--module M]`: extracts from each pinned package
//! exactly the definitions the generator reads into `definitions/<module>/`.
//!
//! The official packages are large (the R4 one unpacks to ~190 MB, mostly
//! examples, profiles and narrative). Checking in only the base types and the
//! terminology they bind to keeps the repository small, makes generator inputs
//! reviewable in diffs, and lets `cargo xtask codegen` run offline.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Context, Result};
use crate::json::Json;
use crate::packages;
use crate::workspace::{self, Manifest, PackageRef};

/// Runs the command for every `versions` entry of the manifest, or only `module`.
pub fn run(module: Option<&str>) -> Result<()> {
    let root = workspace::root()?;
    let manifest = Manifest::load(&root)?;
    let entries: Vec<&PackageRef> = manifest
        .versions
        .iter()
        .filter(|entry| module.is_none_or(|m| entry.module == m))
        .collect();
    if entries.is_empty() {
        return Err(format!(
            "no module {:?} in the `versions` of definitions/manifest.json (known: {})",
            module.unwrap_or_default(),
            manifest.modules().join(", ")
        ));
    }
    for entry in entries {
        let cached = packages::fetch(&entry.package, &entry.version, &entry.integrity)?;
        let resources = load_package(&cached.join("package"))
            .context(|| format!("reading {}@{}", entry.package, entry.version))?;
        let selection = select(&resources)
            .context(|| format!("selecting from {}@{}", entry.package, entry.version))?;
        let target = workspace::definitions_dir(&root).join(&entry.module);
        let bytes = write_module(&target, &selection)?;
        print_summary(entry, &target, &selection, bytes);
    }
    Ok(())
}

/// One resource of a package, with the file name it came from.
#[derive(Debug)]
pub struct Resource {
    pub file: String,
    pub json: Json,
}

impl Resource {
    fn resource_type(&self) -> &str {
        self.json
            .get("resourceType")
            .and_then(Json::as_str)
            .unwrap_or_default()
    }

    fn str_field(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Json::as_str)
    }
}

/// The resource types this command can select; everything else in a package
/// (examples, search parameters, concept maps...) is dropped while loading.
const WANTED_TYPES: [&str; 3] = ["StructureDefinition", "ValueSet", "CodeSystem"];

/// Reads the StructureDefinitions, ValueSets and CodeSystems of an extracted
/// package's `package/` directory, in file name order.
fn load_package(dir: &Path) -> Result<Vec<Resource>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).context(|| format!("listing {}", dir.display()))? {
        let entry = entry.context(|| format!("listing {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            names.push(name);
        }
    }
    names.sort();

    let mut resources = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let bytes = fs::read(&path).context(|| format!("reading {}", path.display()))?;
        let json = Json::parse(&bytes).context(|| format!("parsing {}", path.display()))?;
        let resource = Resource { file: name, json };
        if WANTED_TYPES.contains(&resource.resource_type()) {
            resources.push(resource);
        }
    }
    Ok(resources)
}

/// What [`select`] picked, and what it looked for but did not find.
#[derive(Debug, Default)]
pub struct Selection {
    /// File name to resource, already stripped of what the generator does not read.
    pub files: BTreeMap<String, Json>,
    /// Bound value set URL to the elements (`StructureDefinition` element ids) binding it.
    pub missing_bindings: BTreeMap<String, Vec<String>>,
    /// Value set URL to the URLs of the value sets that include or exclude it.
    pub missing_value_sets: BTreeMap<String, Vec<String>>,
    /// Code system URL to the URLs of the value sets that include or exclude it.
    pub missing_code_systems: BTreeMap<String, Vec<String>>,
}

/// Is this StructureDefinition a base type (Element, BackboneElement, Resource,
/// DomainResource, a datatype, a resource) rather than a profile or a logical model?
fn is_base_type(sd: &Resource) -> bool {
    matches!(
        sd.str_field("kind"),
        Some("primitive-type" | "complex-type" | "resource")
    ) && matches!(sd.str_field("derivation"), None | Some("specialization"))
}

/// A canonical reference without its `|version` suffix.
fn unversioned(canonical: &str) -> &str {
    canonical.split_once('|').map_or(canonical, |(url, _)| url)
}

/// Indexes resources of one type by `url`, refusing ambiguous duplicates.
fn index_by_url<'a>(
    resources: &'a [Resource],
    resource_type: &str,
) -> Result<HashMap<&'a str, &'a Resource>> {
    let mut index: HashMap<&str, &Resource> = HashMap::new();
    for resource in resources
        .iter()
        .filter(|r| r.resource_type() == resource_type)
    {
        let Some(url) = resource.str_field("url") else {
            continue;
        };
        if let Some(previous) = index.insert(url, resource) {
            return Err(format!(
                "two {resource_type}s have the url {url}: {} and {}",
                previous.file, resource.file
            ));
        }
    }
    Ok(index)
}

/// Picks the base-type StructureDefinitions, the ValueSets their elements bind
/// (any strength), the ValueSets those include or exclude (transitively), and
/// the CodeSystems all of these draw codes from, when present in the package.
pub fn select(resources: &[Resource]) -> Result<Selection> {
    let value_sets = index_by_url(resources, "ValueSet")?;
    let code_systems = index_by_url(resources, "CodeSystem")?;
    let mut selection = Selection::default();
    let mut picked: Vec<&Resource> = Vec::new();

    // Value sets to visit, in a deterministic order (file order, then discovery order).
    let mut queue: VecDeque<&str> = VecDeque::new();
    let mut seen_value_sets: BTreeSet<&str> = BTreeSet::new();
    let mut seen_code_systems: BTreeSet<&str> = BTreeSet::new();

    for sd in resources
        .iter()
        .filter(|r| r.resource_type() == "StructureDefinition" && is_base_type(r))
    {
        picked.push(sd);
        let elements = sd
            .json
            .get("snapshot")
            .and_then(|s| s.get("element"))
            .map_or(&[][..], Json::items);
        for element in elements {
            let Some(bound) = element
                .get("binding")
                .and_then(|b| b.get("valueSet"))
                .and_then(Json::as_str)
            else {
                continue;
            };
            let url = unversioned(bound);
            if value_sets.contains_key(url) {
                if seen_value_sets.insert(url) {
                    queue.push_back(url);
                }
            } else {
                let id = element
                    .get("id")
                    .or_else(|| element.get("path"))
                    .and_then(Json::as_str)
                    .unwrap_or("?");
                selection
                    .missing_bindings
                    .entry(url.to_string())
                    .or_default()
                    .push(id.to_string());
            }
        }
    }

    while let Some(url) = queue.pop_front() {
        let Some(&value_set) = value_sets.get(url) else {
            continue;
        };
        picked.push(value_set);
        let compose = value_set.json.get("compose");
        let includes = compose
            .and_then(|c| c.get("include"))
            .map_or(&[][..], Json::items);
        let excludes = compose
            .and_then(|c| c.get("exclude"))
            .map_or(&[][..], Json::items);
        for part in includes.iter().chain(excludes) {
            for referenced in part
                .get("valueSet")
                .map_or(&[][..], Json::items)
                .iter()
                .filter_map(Json::as_str)
            {
                let referenced = unversioned(referenced);
                if value_sets.contains_key(referenced) {
                    if seen_value_sets.insert(referenced) {
                        queue.push_back(referenced);
                    }
                } else {
                    let users = selection
                        .missing_value_sets
                        .entry(referenced.to_string())
                        .or_default();
                    users.push(url.to_string());
                }
            }
            if let Some(system) = part.get("system").and_then(Json::as_str) {
                let system = unversioned(system);
                match code_systems.get(system) {
                    Some(&code_system) => {
                        if seen_code_systems.insert(system) {
                            picked.push(code_system);
                        }
                    }
                    None => {
                        let users = selection
                            .missing_code_systems
                            .entry(system.to_string())
                            .or_default();
                        users.push(url.to_string());
                    }
                }
            }
        }
    }

    for resource in picked {
        let mut json = resource.json.clone();
        strip(&mut json);
        selection.files.insert(resource.file.clone(), json);
    }
    for users in selection
        .missing_bindings
        .values_mut()
        .chain(selection.missing_value_sets.values_mut())
        .chain(selection.missing_code_systems.values_mut())
    {
        users.sort();
        users.dedup();
    }
    Ok(selection)
}

/// Removes what the generator does not read: the narrative, the differential
/// (the snapshot has everything) and the mappings to other standards.
fn strip(resource: &mut Json) {
    resource.remove("text");
    resource.remove("differential");
    resource.remove("mapping");
    if let Some(elements) = resource
        .get_mut("snapshot")
        .and_then(|s| s.get_mut("element"))
    {
        for element in elements.items_mut() {
            element.remove("mapping");
        }
    }
}

/// Replaces `target` with the selected files; returns the bytes written.
///
/// The new contents are written next to it first and swapped in at the end, so
/// a failure midway leaves the previous definitions in place.
fn write_module(target: &Path, selection: &Selection) -> Result<u64> {
    let parent = target
        .parent()
        .ok_or_else(|| format!("{} has no parent", target.display()))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging: PathBuf = parent.join(format!(".{name}.staging"));
    if staging.exists() {
        fs::remove_dir_all(&staging).context(|| format!("removing stale {}", staging.display()))?;
    }
    fs::create_dir_all(&staging).context(|| format!("creating {}", staging.display()))?;

    let mut bytes = 0u64;
    for (file, json) in &selection.files {
        let text = json
            .to_pretty_string()
            .context(|| format!("printing {file}"))?;
        let path = staging.join(file);
        fs::write(&path, &text).context(|| format!("writing {}", path.display()))?;
        bytes += text.len() as u64;
    }

    if target.exists() {
        fs::remove_dir_all(target)
            .context(|| format!("removing the previous {}", target.display()))?;
    }
    fs::rename(&staging, target)
        .context(|| format!("moving {} to {}", staging.display(), target.display()))?;
    Ok(bytes)
}

fn print_summary(entry: &PackageRef, target: &Path, selection: &Selection, bytes: u64) {
    println!(
        "{}: {}@{} -> {}",
        entry.module,
        entry.package,
        entry.version,
        target.display()
    );

    let mut per_type: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for json in selection.files.values() {
        let resource_type = json
            .get("resourceType")
            .and_then(Json::as_str)
            .unwrap_or("?");
        *per_type.entry(resource_type).or_default() += 1;
        if resource_type == "StructureDefinition" {
            *per_kind
                .entry(json.get("kind").and_then(Json::as_str).unwrap_or("?"))
                .or_default() += 1;
        }
    }
    for (resource_type, count) in &per_type {
        if *resource_type == "StructureDefinition" {
            let kinds: Vec<String> = per_kind
                .iter()
                .map(|(kind, n)| format!("{n} {kind}"))
                .collect();
            println!("  {resource_type:<20} {count:>5}  ({})", kinds.join(", "));
        } else {
            println!("  {resource_type:<20} {count:>5}");
        }
    }
    println!(
        "  {:<20} {:>5}  files, {bytes} bytes ({:.1} MiB)",
        "total",
        selection.files.len(),
        bytes as f64 / (1024.0 * 1024.0)
    );

    print_missing(
        "bound value sets not in the package (the generator sees only their URL)",
        &selection.missing_bindings,
        "element",
    );
    print_missing(
        "included value sets not in the package",
        &selection.missing_value_sets,
        "value set",
    );
    print_missing(
        "code systems not in the package (external terminologies)",
        &selection.missing_code_systems,
        "value set",
    );
}

fn print_missing(title: &str, missing: &BTreeMap<String, Vec<String>>, user: &str) {
    if missing.is_empty() {
        return;
    }
    println!("  {} {title}:", missing.len());
    for (url, users) in missing {
        let first = users.first().map(String::as_str).unwrap_or("?");
        let more = if users.len() > 1 {
            format!(" and {} more", users.len() - 1)
        } else {
            String::new()
        };
        println!("    {url}  (used by {user} {first}{more})");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(file: &str, json: &str) -> Resource {
        Resource {
            file: file.into(),
            json: Json::parse(json.as_bytes()).unwrap(),
        }
    }

    fn package() -> Vec<Resource> {
        vec![
            resource(
                "StructureDefinition-Patient.json",
                r#"{"resourceType":"StructureDefinition","kind":"resource","derivation":"specialization",
                    "text":{"div":"x"},"mapping":[{}],"differential":{"element":[]},
                    "snapshot":{"element":[
                      {"id":"Patient.gender","mapping":[{}],"binding":{"strength":"required","valueSet":"http://vs/gender|4.0.1"}},
                      {"id":"Patient.language","binding":{"strength":"preferred","valueSet":"http://vs/elsewhere"}}]}}"#,
            ),
            resource(
                "StructureDefinition-Element.json",
                r#"{"resourceType":"StructureDefinition","kind":"complex-type","snapshot":{"element":[]}}"#,
            ),
            resource(
                "StructureDefinition-us-core.json",
                r#"{"resourceType":"StructureDefinition","kind":"resource","derivation":"constraint",
                    "snapshot":{"element":[{"id":"Patient.x","binding":{"valueSet":"http://vs/profile-only"}}]}}"#,
            ),
            resource(
                "StructureDefinition-logical.json",
                r#"{"resourceType":"StructureDefinition","kind":"logical","derivation":"specialization"}"#,
            ),
            resource(
                "ValueSet-gender.json",
                r#"{"resourceType":"ValueSet","url":"http://vs/gender","text":{},
                    "compose":{"include":[{"system":"http://cs/gender"},{"valueSet":["http://vs/extra|1"]}],
                               "exclude":[{"system":"http://snomed"}]}}"#,
            ),
            resource(
                "ValueSet-extra.json",
                r#"{"resourceType":"ValueSet","url":"http://vs/extra","compose":{"include":[{"valueSet":["http://vs/gone"]}]}}"#,
            ),
            resource(
                "ValueSet-profile-only.json",
                r#"{"resourceType":"ValueSet","url":"http://vs/profile-only"}"#,
            ),
            resource(
                "CodeSystem-gender.json",
                r#"{"resourceType":"CodeSystem","url":"http://cs/gender"}"#,
            ),
            resource(
                "CodeSystem-unused.json",
                r#"{"resourceType":"CodeSystem","url":"http://cs/unused"}"#,
            ),
        ]
    }

    #[test]
    fn selects_base_types_and_their_terminology() {
        let selection = select(&package()).unwrap();
        let files: Vec<&str> = selection.files.keys().map(String::as_str).collect();
        assert_eq!(
            files,
            [
                "CodeSystem-gender.json",
                "StructureDefinition-Element.json",
                "StructureDefinition-Patient.json",
                "ValueSet-extra.json",
                "ValueSet-gender.json",
            ]
        );
        assert_eq!(
            selection.missing_bindings["http://vs/elsewhere"],
            ["Patient.language"]
        );
        assert_eq!(
            selection.missing_value_sets["http://vs/gone"],
            ["http://vs/extra"]
        );
        assert_eq!(
            selection.missing_code_systems["http://snomed"],
            ["http://vs/gender"]
        );
    }

    #[test]
    fn strips_narrative_differential_and_mappings() {
        let selection = select(&package()).unwrap();
        let patient = &selection.files["StructureDefinition-Patient.json"];
        for key in ["text", "mapping", "differential"] {
            assert!(patient.get(key).is_none(), "{key}");
        }
        let first = &patient
            .get("snapshot")
            .and_then(|s| s.get("element"))
            .unwrap()
            .items()[0];
        assert!(first.get("mapping").is_none());
        assert!(first.get("binding").is_some());
        assert!(selection.files["ValueSet-gender.json"]
            .get("text")
            .is_none());
    }

    #[test]
    fn duplicate_urls_are_refused() {
        let resources = vec![
            resource(
                "ValueSet-a.json",
                r#"{"resourceType":"ValueSet","url":"http://vs/a"}"#,
            ),
            resource(
                "ValueSet-b.json",
                r#"{"resourceType":"ValueSet","url":"http://vs/a"}"#,
            ),
        ];
        assert!(select(&resources).is_err());
    }
}
