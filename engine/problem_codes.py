"""Stable codes of the deploy and lint problems an analyst meets most, each with its English sentence.

A problem raised with a code (``said(code, **params)``) keeps its English ``message`` made here, and
carries the code and its parameters, from which a page says the same sentence in its own language
(api/pages/problem_texts.py). A problem without a code is said in English everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field

Param = str | int | None

ENGLISH: dict[str, str] = {
    # the file itself
    "xml.too_large": "file is larger than {kib} KiB",
    "xml.doctype": "DOCTYPE declarations are not allowed (their entities could read files or expand without bound)",
    "xml.malformed": "malformed XML: {reason}",
    "xml.unknown_encoding": "the XML declaration names encoding {encoding!r}, which is not known; save the file as "
                            "UTF-8",
    "xml.undecodable": "the file is not valid {encoding} as its XML declaration says (byte 0x{byte} cannot be read); "
                       "save it as UTF-8",
    "xml.transcoded": "saved in {encoding}: stored as UTF-8, its XML declaration changed to say so",
    "xml.duplicate_id": "duplicate id (BPMN requires unique ids): line {first} has it too",
    "file.unsupported": "unsupported file type (deploy {accepted})",
    "file.not_lintable": "not a diagram, form, guide.json or document template",
    "file.name_clash": "another file of this deployment ({other}) is stored as {stored!r} too: each file needs a name "
                       "of its own",
    # the diagram
    "bpmn.not_bpmn": "not a BPMN 2.0 document (root element is {root})",
    "bpmn.no_executable": "no executable process (every process has isExecutable=\"false\")",
    "bpmn.no_process": "the file defines no process",
    "bpmn.no_diagram": "the deployment contains no BPMN diagram",
    "bpmn.forms_alone": "the deployment contains no BPMN diagram, and a form does not deploy alone: deploy {which}, "
                        "in one deployment",
    "process.duplicate": "process id {process!r} is also defined in {other}",
    "process.takeover": "process {process!r} was deployed from {file!r} (version {version}{named}); this file would "
                        "take it over as its next version: give the process another id if it is a new item, or "
                        "deploy again confirming the take-over",
    "process.taken_over": "process {process!r} was deployed from {file!r} (version {version}{named}); this file makes "
                          "its next version: give the process another id if it is a new item",
    "flow.no_end": "sequence flow has no {end}",
    "flow.unknown_end": "sequence flow {end} {ref!r} is not an element of {scope_tag} {scope!r}",
    "flow.no_condition": "sequence flow {flow} leaves {kind} gateway {gateway!r} without a condition and is not its "
                         "default flow; add a condition or make it the default",
    "flow.implicit_split": "a task with several outgoing sequence flows (an implicit split) is not supported; add a "
                           "gateway",
    "call.no_called": "call activity has no calledElement",
    "call.unknown": "calls process {called!r}, which is neither in this deployment nor deployed before",
    "process.initiators": "start events name different camunda:initiator variables ({names}): a case has one "
                          "starting user; name one variable",
    "process.start_forms": "start events name different start forms ({forms}): a case starts with one form; name one",
    "process.bad_id": "process id {pid!r} is not an XML name (letters, digits, '_', '-' and '.', not first a digit, "
                      "'-' or '.'): it is the item's key in addresses; rename it",
    "process.long_id": "process id is {length} characters long; a process id has at most {longest}",
    "process.start_form_client": "start form {form!r} is a page the client application renders, which cannot be "
                                 "merged with the forms of govflow.bundleForms; name a form-js form",
    # expressions and scripts
    "expression.invalid": "{what} {source!r}: {reason}",
    "expression.untranslatable": "cannot translate {source!r}: {reason}",
    "expression.refused": "{reason}",
    "condition.language": "condition language {language!r} is not supported",
    "condition.empty": "empty condition expression",
    "timer_def.none": "timer has no timeDate, timeDuration or timeCycle",
    "timer_def.invalid": "timer {kind}: {reason}",
    "duration.calendar_days": "{what} {value!r} counts calendar days, weekends and holidays included; time "
                           "limits count working days (Art 82 of the Licensing Law): for them write "
                           "${{workdays({days})}}",
    "loop.collection": "camunda:collection must name a variable, got {collection!r}",
    "script.language": "script language {language!r} is not supported; write it in Python",
    "script.empty": "script task has no script",
    "script.invalid": "script: {reason}",
    "script.pre_post": "spiffworkflow:{script}: {reason}",
    # Camunda constructs
    "camunda.java": "implemented in Java ({hook}); runs as an external task completed over the API",
    "camunda.external": "external task ({hook}); a worker completes it over the API",
    "camunda.listener_script": "{listener} ({event}) script in {language} cannot run here; move the logic into a "
                               "Python script task",
    "camunda.listener_java": "{listener} ({event}) implemented in Java is ignored",
    "camunda.call_mapping": "camunda:{mapping} passes variables along with a {tag}, which cannot run here; set them "
                            "in a Python script task instead",
    "camunda.call_variables": "variables passed one by one ({listed}) cannot run here: a called process gets all of "
                              "the case's variables and hands all of its own back; replace these mappings with "
                              "camunda:in variables=\"all\" and camunda:out variables=\"all\"",
    "camunda.binding_unknown": "camunda:calledElementBinding {binding!r} is none of {bindings}",
    "camunda.binding_version": "camunda:calledElementBinding {binding!r} cannot be honoured: a call runs the latest "
                               "version of {called!r} deployed when the call happens (and the case keeps it), never "
                               "{wanted}; remove the binding to call the latest version",
    "camunda.io_script": "camunda:{kind} {name!r} is a {language} script, which cannot run here; compute it in a "
                         "Python script task",
    "camunda.io_value": "camunda:{kind} {name!r} is a camunda:{value}, which cannot run here; compute it in a Python "
                        "script task",
    "camunda.message_java": "the message is sent by Java code ({hook}), which cannot run here; send it from a send "
                            "task completed by an integrator, or give it a payload expression",
    "camunda.start_form_expression": "camunda:formKey {key!r} of a start event is an expression, but no variables "
                                     "exist before the case starts; name the form",
    "camunda.no_decision": "business rule task names no decision (camunda:decisionRef or "
                           "spiffworkflow:calledDecisionId)",
    "camunda.data_store": "data store is documentation only and is ignored at run time",
    "camunda.call_business_key": "camunda:in businessKey={key!r}: a called process runs inside the calling case, "
                                 "under the case's business key; remove it or pass #{{execution.processBusinessKey}}",
    "camunda.binding_ignored": "camunda:{attr} {value!r} is ignored: camunda:calledElementBinding is {binding!r}",
    "camunda.initiator_ignored": "camunda:initiator {name!r} is read only on a start event of the process itself (as "
                                 "in Camunda) and is ignored here",
    "camunda.initiator_name": "camunda:initiator {name!r} is not a variable name",
    "camunda.start_form_ignored": "camunda:formKey {key!r} on {start} is ignored: only the process's plain start "
                                  "event has a start form (as in Camunda)",
    "camunda.starter_nobody": "camunda:potentialStarter names nobody (no formalExpression)",
    "camunda.starter_expression": "{what} {expression!r} is an expression, but no variables exist before a case "
                                  "starts; name the {starters}",
    "camunda.starter_group": "{what}: {name!r} is no group name ({naming})",
    "camunda.starter_user": "{what}: {name!r} is no user name ({naming})",
    "camunda.io_name": "camunda:{kind} {name!r} is not a variable name",
    "camunda.io_empty": "camunda:{kind} {name!r} has no value and is ignored",
    "camunda.message_no_name": "message {message!r} has no name: it is sent and received by its id",
    "camunda.result_variable": "camunda:resultVariable {result!r} is not a variable name",
    "camunda.service_operator": "service operator {topic!r} runs as an external task completed over the API",
    "camunda.service_no_implementation": "service task without an implementation runs as an external task "
                                         "completed over the API",
    "camunda.topic_too_long": "camunda:topic {topic!r}… is longer than {longest} characters",
    "camunda.error_variable": "error variable {name!r} is not a variable name",
    "dmn.not_dmn": "not a DMN document (root element is {root})",
    "dmn.no_decision": "the DMN file defines no decision",
    # forms, guides and document templates
    "form.too_large": "form is larger than {kib} KiB",
    "form.not_utf8": "form is not UTF-8 text",
    "form.malformed": "malformed JSON: {reason}: line {line} column {column}",
    "form.not_form_js": "not a form-js form: expected an object with a 'components' list",
    "form.too_deep": "form is nested deeper than {levels} levels",
    "guide.too_large": "guide is larger than {kib} KiB",
    "guide.not_utf8": "guide is not UTF-8 text",
    "guide.malformed": "malformed JSON: {reason} (column {column})",
    "guide.too_deep": "guide is nested deeper than {levels} levels",
    "guide.not_json_number": "malformed JSON: {token} is not a JSON number",
    "guide.unreadable": "malformed JSON: {reason}",
    "guide.not_object": "a guide is a JSON object (see bpmn/README.md, \"The guide\")",
    "guide.missing": "required field {field!r} is missing",
    "guide.unknown_process": "process {process!r} is neither in this deployment nor deployed before",
    "guide.unknown_member": "member process {process!r} is neither in this deployment nor deployed before",
    "guide.unknown_calendar": "working-day calendar {calendar!r} does not exist (GET /api/calendar lists them)",
    "guide.duplicate": "item {code!r} has another guide in this deployment ({other})",
    # a guide's sample files (engine.samples)
    "guide.sample_file_folder": "{field} must name a file of the item's samples folder, as samples/<name>, not {file!r}",
    "guide.sample_file_format": "{field}: {file!r} is not one of the sample formats ({formats})",
    "guide.unknown_sample": "material {material!r} names sample file {file!r}, which is neither in this deployment ({stored}) nor deployed before",
    "lint.sample_not_linted": "material {material!r} names sample file {file!r}, which is not among the linted files ({stored}); deploy takes one deployed before",
    "sample.too_large": "a sample file is at most {kib} KiB; this one is {size} KiB",
    "sample.empty": "the sample file is empty",
    "sample.not_pdf": "not a PDF file (it must begin with %PDF- and end with %%EOF)",
    "sample.not_package": "not a {format} file (it is no Office Open XML package)",
    "sample.too_many_parts": "a {format} file of more than {parts} parts is not accepted",
    "sample.no_main_part": "not a {format} file (no {part} in the package)",
    "sample.macros": "the {format} file holds macros; save it without them",
    "sample.not_utf8": "a sample HTML file must be UTF-8 text ({reason})",
    "sample.not_laid_out": "malformed sample HTML: <{element}> is not laid out in the PDF (use {allowed})",
    "sample.not_empty_element": "malformed sample HTML: <{element}/> is not an empty element: write <{element}></{element}>",
    "sample.closes_other": "malformed sample HTML: </{element}> closes <{open}> opened at line {opened}",
    "sample.closes_nothing": "malformed sample HTML: </{element}> closes no open element",
    "sample.never_closed": "malformed sample HTML: <{element}> is never closed",
    "sample.no_title": "a sample HTML file needs a <title> (the title of its PDF)",
    "sample.no_text": "the sample HTML file has no text to lay out",
    "sample.not_rendering": "the sample does not render to PDF: {reason}",
    "doc_template.not_utf8": "a document template must be UTF-8 text ({reason})",
    "doc_template.not_compiling": "template does not compile: {reason}",
    "doc_template.fails": "template fails on a sample case: {reason}",
    "doc_template.no_title": "a document template needs a <title> (the document's title)",
    "doc_template.missing": "template uses {name}, which is {absent}",
    "doc_template.name_space": "document template name {name!r} begins or ends with a space, which "
                               "govflow.document cannot name",
    "doc_template.name_twice": "document template {name!r} is also in {other}: a deployment holds one template of "
                               "each name",
    "doc_template.not_deployed": "document template {name!r} ({name}.html) is not deployed: no document will be "
                                 "issued",
    # deploy's checks of tasks and service-item lint (engine.lint)
    "human_task.unnamed": "{tag} {name!r} has no candidate groups, candidate users, assignee or lane: it is offered to every "
                    "clerk, whatever their department, who may claim it and read its case; name the group that "
                    "works it",
    "human_task.priority": "camunda:priority {value!r} is not a whole number",
    "human_task.date": "camunda:{attr}: {reason}",
    "human_task.unknown_group": "candidate group {group!r} is no user's group and no department's: no queue shows this task "
                          "until a user has it (govflow user add NAME --group {group})",
    "human_task.unknown_user": "{what} {name!r} is no user here: the task waits for a name nobody logs in as until that "
                         "user is added (govflow user add {name} --role clerk)",
    "lint.no_form": "{tag} {name!r} has no form (camunda:formKey): a task takes only what its form lists (DOMAIN rule 15)",
    "lint.client_form": "{tag} {name!r} names form {form!r}, a page the client application renders: govflow cannot check "
                        "what it submits (DOMAIN rule 15); use a form-js form",
    "lint.form_not_linted": "{tag} {name!r} names form {form!r}, which is not among the linted files",
    "lint.no_due_date": "{tag} {name!r} has no due date (camunda:dueDate) and lies outside the time-limit clock: nothing "
                        "says when it is late",
    "lint.no_acceptance": "no acceptance step found: a user task followed by an exclusive gateway that leads to the "
                          "govflow.clock=start element (受理, 不予受理, 一次性告知补正)",
    "lint.no_delivery_step": "steps follow the decision but none marks the result's delivery (govflow.event="
                             "delivered): the 10 working days a licence item has to deliver its result after the "
                             "decision (行政许可法 Art 44) cannot be supervised",
    "lint.no_deemed_acceptance": "acceptance step {step!r} of a licence item has no timer on it that starts the clock: "
                                 "an application not told within 5 days what to supplement counts as accepted "
                                 "(行政许可法 Art 32), e.g. a boundary timer ${{workdays(5)}} leading to an element marked "
                                 "govflow.clock=start",
    "lint.acceptance_outcomes": "acceptance step {step!r} decides {have} through gateway {gateway!r}; SX21 requires "
                                "three outcomes, missing: {missing}",
    "lint.unread_condition": "the condition of flow {flow!r} (gateway {gateway!r}) reads {name!r}, which neither the "
                             "start form nor a form of a user task before it asks for and no script sets",
    "lint.promised_exceeds": "govflow.promisedDays {promised} exceeds govflow.statutoryDays {statutory}",
    "lint.limit_differs": "{prop} {value} differs from {name} {guide_value} of the guide {file}; the guide's value "
                          "applies",
    "lint.calendar_differs": "the guide {file} counts the clock in calendar {theirs!r} but workdays() in this diagram "
                             "counts in {mine!r} (govflow.calendar)",
    "lint.no_clock_start": "the guide {file} sets time limits but no element is marked govflow.clock=start: cases of "
                           "this item get no clock",
    "lint.call_not_linted": "calls process {called!r}, which is neither in this deployment nor deployed before: it is "
                            "not among the linted files, so govflow deploy refuses this diagram unless it was "
                            "deployed before",
    "lint.guide_process": "process {process!r} is not among the linted diagrams",
    "lint.forms_alone": "no BPMN diagram among the linted files, and govflow deploy refuses forms alone (the "
                        "deployment contains no BPMN diagram); deploy {which}, in one govflow deploy",
    "lint.bundle_form_not_linted": "govflow.bundleForms names form {key!r}, which is not among the linted files: no "
                                   "case starts without it",
    "lint.flag_value": "{flag} is {value!r}: true ({meaning}) or false",
    "lint.flag_no_message": "{flag} marks a step that waits for no message, where it does nothing: mark the "
                            "intermediate catch event, message boundary event or receive task (after an event-based "
                            "gateway, its event that takes the message)",
    "lint.thrown_by_misplaced": "govflow.thrownBy marks no error boundary event on a user task or around one, where "
                                "it does nothing: put it on the error boundary event attached to the user task whose "
                                "clerks' work it may end, or to the sub-process or call activity holding it",
    "lint.thrown_by_empty": "govflow.thrownBy names no group: name the groups whose clerks may throw this error "
                            "(comma-separated), or leave the property out",
    "lint.state_on_start_misplaced": "govflow.caseStateOnStart marks a {tag}, whose start is not recorded (it starts "
                                     "and completes at once, or holds other steps), where it does nothing: mark the "
                                     "user, manual or external task, receive task or intermediate catch event the "
                                     "state begins with, or use govflow.caseState, reached when the element completes",
    "lint.excluded_unlisted": "govflow.excluded is {kind!r}, a special procedure the item's guide does not list "
                              "(excluded_periods: {listed}): the clock would pause for a period the applicant is not "
                              "told of; list it in the guide, or take the mark away",
    "lint.state_on_start_ending": "govflow.caseStateOnStart is {state!r}, a state that ends the case, which a step "
                                  "reaches when it completes: use govflow.caseState",
    "lint.confidential_name": "govflow.confidential names {name!r}: only a whole variable (a top-level name) can be "
                              "confidential",
    "lint.confidential_message": "this message sends the whole case data, confidential {names} included, to the "
                                 "process that receives it: give it a payload without them, or name them "
                                 "govflow.confidential there too",
    # one-thing bundles: a guide's member and the diagrams, said in the guide or in the diagram
    "lint.member_not_called": "{field} {process!r} ({name}) is not called by the bundle's process {bundle!r}: no "
                              "call activity there names it as calledElement, so the member never runs{hint}",
    "lint.member_not_called_here": "the guide {file} lists {process!r} ({name}) as {field}, but no call activity of "
                                   "this process names it as calledElement, so the member never runs{hint}",
    "lint.verdict_unset": "{field} {verdict!r} ({name}): process {process!r} never sets it (no form field of its user "
                          "tasks, script or output mapping does), so the member's decision documents show no verdict",
    "lint.verdict_unset_here": "the guide {file} names {verdict!r} as the verdict of this member ({name}, {field}), "
                               "but this process never sets it (no form field of its user tasks, script or output "
                               "mapping does), so its decision documents show no verdict",
    # form components (engine._form_reader); {label} is where, the component's type and key, said in English
    "form.generated_name": "form names ending in {suffix!r} are kept for the forms generated from camunda:formData; "
                           "rename the file",
    "form.missing": "form {key!r} is neither in this deployment nor deployed before; {without_it}",
    "form.deployed_invalid": "the deployed form {key!r} is invalid; deploy a corrected one with this diagram",
    "form.type": "not a form-js form: type {type!r} (expected 'default')",
    "form.not_component": "{where}: a component must be an object",
    "form.group_path": "{label}: path {path!r} is not a dotted name",
    "form.group_components": "{label}: components must be a list",
    "form.unsupported": "{label}: {kind} components cannot be checked on the server yet; use the supported inputs",
    "form.unknown_type": "{label}: unknown component type {kind!r}",
    "form.condition_value": "{label}: {attr} must be true/false or a FEEL expression starting with '='",
    "form.condition": "{label}: {attr} condition cannot be evaluated on the server: {reason}",
    "form.bad_key": "{label}: key {key!r} is missing or not a dotted name (letters, digits, _)",
    "form.key_start": "{label}: key {key!r} must start with a variable name (not a digit or _)",
    "form.key_function": "{label}: key {key!r} is a function diagrams call ({function}): choose another",
    "form.duplicate_key": "{label}: duplicate key {key!r} (also {other})",
    "form.validate_object": "{label}: validate must be an object",
    "form.key_inside": "{label}: key {key!r} is inside the value of key {outer!r} ({other})",
    "form.pattern_type": "{label}: validate.pattern must be a string",
    "form.pattern": "{label}: invalid regex pattern {pattern!r}: {reason}",
    "form.validation_type": "{label}: unknown validate.validationType {value!r} (email, phone, idNumber, creditCode "
                            "or custom)",
    "form.values_expression": "{label}: valuesExpression cannot be evaluated on the server; use static values or "
                              "valuesKey",
    "form.value_missing": "{label}: every entry of values needs a value",
    "form.no_options": "{label}: has no options: give values or valuesKey",
    "form.subtype": "{label}: unknown datetime subtype {subtype!r} (date, time or datetime)",
    "form.time_format": "{label}: unknown timeSerializingFormat {value!r}",
    "form.limit_expression": "{label}: {attr} is an expression; the server checks fixed limits only, so write a number",
    "form.not_number": "{label}: {attr} must be a number, not {value!r}",
    "form.not_whole": "{label}: {attr} must be a non-negative whole number, not {value!r}",
    # camunda:formData (engine.camunda_forms)
    "form_data.ignored": "camunda:formData ({listed}) is ignored: camunda:formKey {key!r} names the form, and wins "
                         "(as in Camunda)",
    "form_data.not_start_form": "camunda:formData ({listed}) on {start} is ignored: only the process's plain start "
                                "event has a start form (as in Camunda)",
    "form_data.business_key": "camunda:formData businessKey={key!r} is ignored: a case's business key is given when "
                              "it starts, beside its variables",
    "form_data.invalid": "the form generated from camunda:formData is invalid: {reason}",
    "form_field.no_id": "camunda:formField has no id",
    "form_field.id_not_name": "camunda:formField {field!r}: the id is not a variable name (letters, digits and _, not "
                              "starting with a digit or _)",
    "form_field.id_twice": "camunda:formField {field!r}: the id is also that of the field at line {line}",
    "form_field.no_type": "camunda:formField {field!r}: no type given (string, long, boolean, date or enum)",
    "form_field.attribute": "camunda:formField {field!r}: attribute {attribute!r} is not carried into the form",
    "form_field.type": "camunda:formField {field!r}: type {type!r} is not a Camunda form type; the field is shown "
                       "and checked as text",
    "form_field.enum_empty": "camunda:formField {field!r}: the enum has no camunda:value, so no value can be chosen "
                             "(as in Camunda); it is left out of the form",
    "form_field.value_not_enum": "camunda:formField {field!r}: camunda:value applies to enum fields only and is "
                                 "ignored",
    "form_field.child": "camunda:formField {field!r}: camunda:{child} is not carried into the form",
    "form_field.value_no_id": "camunda:formField {field!r}: a camunda:value has no id",
    "form_field.value_twice": "camunda:formField {field!r}: camunda:value {value!r} is listed twice",
    "form_field.constraint_no_name": "camunda:formField {field!r}: a camunda:constraint has no name",
    "form_field.validator": "camunda:formField {field!r}: camunda:constraint validator {config!r} runs Java code or "
                            "an expression in Camunda and is not checked here",
    "form_field.constraint_unknown": "camunda:formField {field!r}: camunda:constraint {name!r} is not a Camunda "
                                     "constraint and is not checked",
    "form_field.required_boolean": "camunda:formField {field!r}: required on a boolean is not carried: a checkbox "
                                   "always gives true or false, and a required one would have to be ticked",
    "form_field.constraint_config": "camunda:formField {field!r}: camunda:constraint {name} needs {what} as its "
                                    "config, not {config!r}",
    "form_field.constraint_type": "camunda:formField {field!r}: camunda:constraint {name} applies to {applies} and "
                                  "is not checked on a {type} field",
    "form_field.default_expression": "camunda:formField {field!r}: defaultValue {value!r} is an expression, which a "
                                     "form cannot compute; the field starts empty",
    "form_field.default_readonly": "camunda:formField {field!r}: defaultValue {value!r} of a readonly field is not "
                                   "carried: the field shows the case's value",
    "form_field.default_not_whole": "camunda:formField {field!r}: defaultValue {value!r} is not a whole number",
    "form_field.default_boolean": "camunda:formField {field!r}: defaultValue {value!r} is not true or false; "
                                  "Camunda reads it as false, and so does this form",
    "form_field.default_enum": "camunda:formField {field!r}: defaultValue {value!r} is not one of the enum's "
                               "camunda:value ids",
    "form_field.default_date": "camunda:formField {field!r}: defaultValue {value!r} is not a date (dd/MM/yyyy, as "
                               "Camunda writes it, or yyyy-MM-dd)",
    # a guide's fields (engine.guides)
    "guide.not_text": "{field} must be a non-empty string",
    "guide.too_long": "{field} may be at most {longest} characters",
    "guide.not_whole": "{field} must be a whole number",
    "guide.too_small": "{field} must be at least {minimum}",
    "guide.not_bool": "{field} must be true or false",
    "guide.not_number": "{field} must be a number of at least 0",
    "guide.not_list": "{field} must be a list",
    "guide.not_object_field": "{field} must be an object",
    "guide.not_choice": "{field} is {value!r}; expected one of {allowed}",
    "guide.no_entries": "{field} must list at least one entry",
    "guide.listed_twice": "{field} {value!r} is listed twice",
    "guide.not_department": "{field} must be an object {{\"code\", \"name\"}}",
    "guide.code_chars": "code {code!r} may hold only letters, digits, '-', '_' and '.'",
    "guide.code_folder": "code {code!r} is not the item folder's name {folder!r}",
    "guide.promised_exceeds": "promised_days {promised} exceeds statutory_days {statutory} (承诺时限 may not be "
                              "longer than 法定时限)",
    "guide.on_the_spot": "a 即办件 (case_type '1') is decided on the spot: promised_days must be 0, not {promised}",
    "guide.catch_all": "material {name!r} is a catch-all ({vague}): name each material the applicant must bring "
                       "(LY17, XA13)",
    "guide.material_twice": "material {name!r} is listed twice (also materials[{first}])",
    "guide.material_department": "{field} {code!r} is neither the department nor a co-department of the item",
    "guide.member_own_process": "{field} {process!r} is the bundle's own process",
    "guide.member_twice": "{field} {process!r} is listed twice (also members[{first}])",
    "guide.member_department": "{field} {code!r} is neither the department nor a co-department of the bundle",
    "guide.verdict_name": "{field} {verdict!r} is not a variable name",
    # decisions (engine.dmn, engine._spiff)
    "dmn.no_table": "decision {decision!r} has no decision table (literal expressions and other decision logic "
                    "cannot run here)",
    "dmn.several_tables": "decision {decision!r} has several tables",
    "dmn.required": "decision {decision!r} requires decision {needed} first; evaluating required decisions (a DRD) "
                    "is not supported: call each from its own business rule task",
    "dmn.language": "expression language {language!r} is not supported in decision {decision!r}",
    "dmn.entry": "{what} {source!r} of decision {decision!r} can run neither as FEEL nor as Python: {reason}",
    "dmn.aggregation": "aggregation {aggregation} is not supported in decision {decision!r}",
    "dmn.result_names": "decision outputs {bad} and result variable {result!r} must be variable names",
    "dmn.map_unknown": "camunda:mapDecisionResult {mapping!r} is not supported",
    "dmn.map_one_output": "camunda:mapDecisionResult {mapping} needs a decision with one output; {decision!r} has "
                          "{outputs}",
    "dmn.duplicate": "decision {decision!r} is also defined in {other}",
    "dmn.parser": "DMN: {reason}",
    "dmn.refused": "decision {decision!r} of {file} cannot run, so neither can this task: see the problem reported "
                   "for it in {file}",
    "dmn.missing": "decision {decision!r} is not in this deployment (decisions here: {available}); deploy its DMN "
                   "file together with the diagram",
    # SpiffWorkflow's parser, in its own words (engine._spiff maps them when the words match)
    "spiff.no_start": "No start event found.",
    "spiff.subprocess_starts": "Exactly one start event is required in a SubWorkflow Task; found {count}.",
    "spiff.subprocess_no_end": "A SubWorkflow Must contain an End event.",
    "spiff.unsupported_task": "There is no support implemented for this task type.",
    "spiff.adhoc_events": "Ad hoc subprocesses may not contain start or end events.",
    "spiff.no_condition": "Conditional event definition with missing condition.",
    "spiff.multi_instance_none": "A multiinstance task must specify a cardinality or a loop input data reference.",
    "spiff.multi_instance_none_camunda": "A multiinstance task must specify a cardinality or a collection.",
    "spiff.multi_instance_both": "A multiinstance task must specify exactly one of cardinality or loop input data "
                                 "reference.",
    "spiff.data_input": "data input association from {sources} does not resolve to a data object of this process",
    "bpmn.unknown_message": "message event names message {ref!r}, which this file does not define (bpmn:message)",
    "spiff.data_output": "data output association to {targets} does not resolve to a data object of this process",
    "spiff.cannot_parse": "cannot parse process: {reason}",
}


@dataclass(frozen=True)
class Said:
    """A problem's sentence by code: the English made from the catalogue, the parameters kept for pages."""

    code: str
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return ENGLISH[self.code].format(**self.params)

    def __str__(self) -> str:
        return self.message


def said(code: str, /, **params: Param) -> Said:
    """The sentence of ``code``; an unknown code or a missing parameter fails here, where it is raised."""
    ENGLISH[code].format(**params)  # a wrong call fails at once, not on a page
    return Said(code, params)
