"""Every string of the console in English, French and Arabic, and how a page picks its language."""

from __future__ import annotations

from collections.abc import Mapping

#: The console's languages, in the order the switcher shows them, with their own names.
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "ar": "العربية"}
RTL = frozenset({"ar"})
DEFAULT = "en"

# key: (English, French, Arabic). Placeholders are filled with str.format.
STRINGS: dict[str, tuple[str, str, str]] = {
    # Frame and navigation
    "skip_to_content": ("Skip to content", "Aller au contenu", "انتقل إلى المحتوى"),
    "nav_main": ("Console", "Console", "لوحة التحكم"),
    "nav_trainings": ("Trainings", "Formations", "الدورات التكوينية"),
    "nav_forms": ("Question sets", "Questionnaires", "الاستبيانات"),
    "nav_institutions": ("Institutions", "Institutions", "المؤسسات"),
    "nav_users": ("Users", "Utilisateurs", "المستخدمون"),
    "nav_tokens": ("Tokens", "Jetons", "الرموز"),
    "nav_audit": ("Audit log", "Journal d'audit", "سجل التدقيق"),
    "nav_uploads": ("Unsent records", "Envois en attente", "السجلات غير المرسلة"),
    "nav_programme": ("Programme", "Programme", "البرنامج"),
    "language": ("Language", "Langue", "اللغة"),
    "signed_in_as": ("Signed in as {name}", "Connecté·e : {name}", "متصل باسم {name}"),
    "sign_out": ("Sign out", "Se déconnecter", "تسجيل الخروج"),
    "save": ("Save", "Enregistrer", "حفظ"),
    "cancel": ("Cancel", "Annuler", "إلغاء"),
    "yes": ("Yes", "Oui", "نعم"),
    "no": ("No", "Non", "لا"),
    "none": ("None", "Aucun", "لا شيء"),
    "print": ("Print", "Imprimer", "طباعة"),
    "not_saved": (
        "Nothing was saved. Fix these and try again:",
        "Rien n'a été enregistré. Corrigez ceci et réessayez :",
        "لم يُحفظ أي شيء. صحّح ما يلي ثم أعد المحاولة:",
    ),
    # Sign-in
    "login_title": ("Sign in", "Connexion", "تسجيل الدخول"),
    "login_intro": (
        "Sign in to manage trainings and question sets.",
        "Connectez-vous pour gérer les formations et les questionnaires.",
        "سجّل الدخول لإدارة الدورات التكوينية والاستبيانات.",
    ),
    "username": ("Username", "Identifiant", "اسم المستخدم"),
    "password": ("Password", "Mot de passe", "كلمة المرور"),
    "login_button": ("Sign in", "Se connecter", "دخول"),
    "login_failed": (
        "Wrong username or password.",
        "Identifiant ou mot de passe incorrect.",
        "اسم المستخدم أو كلمة المرور غير صحيحة.",
    ),
    "login_throttled": (
        "Too many failed sign-ins from this address. Try again in {minutes} minutes.",
        "Trop d'échecs de connexion depuis cette adresse. Réessayez dans {minutes} minutes.",
        "محاولات دخول فاشلة كثيرة من هذا العنوان. أعد المحاولة بعد {minutes} دقيقة.",
    ),
    "form_expired": (
        "This form has expired. Reload the page and try again.",
        "Ce formulaire a expiré. Rechargez la page et réessayez.",
        "انتهت صلاحية هذا النموذج. أعد تحميل الصفحة وحاول مجددًا.",
    ),
    # Errors
    "error_title": ("Something is wrong", "Un problème est survenu", "حدث خطأ"),
    "error_401": (
        "Sign in to see this page.",
        "Connectez-vous pour voir cette page.",
        "سجّل الدخول لعرض هذه الصفحة.",
    ),
    "error_403": (
        "Only an admin may do this; ask a programme officer.",
        "Seul un administrateur peut faire cela ; adressez-vous au chargé de programme.",
        "هذا الإجراء مخصص للمشرف فقط؛ اتصل بمسؤول البرنامج.",
    ),
    "error_404": (
        "There is nothing here that you may see.",
        "Il n'y a rien ici que vous puissiez voir.",
        "لا يوجد هنا ما يمكنك الاطلاع عليه.",
    ),
    "back_home": ("Back to the console", "Retour à la console", "العودة إلى لوحة التحكم"),
    # Dashboard
    "dashboard_title": ("Trainings", "Formations", "الدورات التكوينية"),
    "new_training": ("New training", "Nouvelle formation", "دورة تكوينية جديدة"),
    "no_trainings": (
        "No trainings yet.",
        "Aucune formation pour l'instant.",
        "لا توجد دورات تكوينية بعد.",
    ),
    "no_trainings_trainer": (
        "You are not assigned to any training yet; ask a programme officer.",
        "Vous n'êtes affecté·e à aucune formation ; adressez-vous au chargé de programme.",
        "لم يتم تعيينك في أي دورة تكوينية بعد؛ اتصل بمسؤول البرنامج.",
    ),
    "participants": ("Participants", "Participants", "المشاركون"),
    "phase_pre": ("Pre-test", "Pré-test", "الاختبار القبلي"),
    "phase_post": ("Post-test", "Post-test", "الاختبار البعدي"),
    "phase_evaluation": ("Evaluation", "Évaluation", "التقييم"),
    "phase_followup": ("Follow-up test", "Test de suivi", "اختبار المتابعة"),
    "joining_open": ("Joining open", "Inscriptions ouvertes", "الانضمام مفتوح"),
    "joining_closed": ("Joining closed", "Inscriptions fermées", "الانضمام مغلق"),
    "simulated": ("Simulated data", "Données simulées", "بيانات محاكاة"),
    # Training detail
    "training_id": ("Identifier", "Identifiant", "المعرّف"),
    "country": ("Country", "Pays", "البلد"),
    "place": ("Place", "Lieu", "المكان"),
    "dates": ("Dates", "Dates", "التواريخ"),
    "starts_on": ("Starts on", "Début", "تاريخ البدء"),
    "ends_on": ("Ends on", "Fin", "تاريخ الانتهاء"),
    "institutions": ("Institutions", "Institutions", "المؤسسات"),
    "trainers": ("Trainers", "Formateurs", "المكونون"),
    "parent": (
        "Parent training (cascade)",
        "Formation d'origine (cascade)",
        "الدورة الأم (التكوين المتسلسل)",
    ),
    "show_score": (
        "Participants see their score",
        "Les participants voient leur score",
        "يرى المشاركون نتيجتهم",
    ),
    "join_code": ("Join code", "Code d'accès", "رمز الانضمام"),
    "join_link": ("Join link", "Lien d'accès", "رابط الانضمام"),
    "join_page": ("Join page (QR code)", "Page d'accès (code QR)", "صفحة الانضمام (رمز QR)"),
    "monitor": ("Live monitor", "Suivi en direct", "المتابعة المباشرة"),
    "report": ("Report", "Rapport", "التقرير"),
    "edit": ("Edit", "Modifier", "تعديل"),
    "close_joining": ("Close joining", "Fermer les inscriptions", "إغلاق الانضمام"),
    "reopen_joining": ("Reopen joining", "Rouvrir les inscriptions", "إعادة فتح الانضمام"),
    "joining_closed_note": (
        "Joining is closed: new participants cannot join; records already on phones are still "
        "accepted.",
        "Les inscriptions sont fermées : personne ne peut plus rejoindre ; les réponses déjà sur "
        "les téléphones restent acceptées.",
        "الانضمام مغلق: لا يمكن لمشاركين جدد الانضمام؛ وتبقى السجلات الموجودة على الهواتف مقبولة.",
    ),
    "submissions": ("Submissions", "Réponses reçues", "الإجابات المستلمة"),
    # Training form
    "create_training": ("Create a training", "Créer une formation", "إنشاء دورة تكوينية"),
    "edit_training": ("Edit the training", "Modifier la formation", "تعديل الدورة التكوينية"),
    "training_id_help": (
        "Lowercase letters, digits and '-', e.g. rabat-tot-2019. It cannot change later.",
        "Minuscules, chiffres et « - », p. ex. rabat-tot-2019. Il ne pourra plus changer.",
        "حروف لاتينية صغيرة وأرقام و« - »، مثل rabat-tot-2019. لا يمكن تغييره لاحقًا.",
    ),
    "title": ("Title", "Titre", "العنوان"),
    "title_help": (
        "Give at least one language; participants see theirs when given.",
        "Donnez au moins une langue ; les participants voient la leur si elle est donnée.",
        "أدخل لغة واحدة على الأقل؛ يرى المشاركون لغتهم إن وُجدت.",
    ),
    "country_help": (
        "Two-letter ISO code, e.g. MA.",
        "Code ISO à deux lettres, p. ex. MA.",
        "رمز ISO من حرفين، مثل MA.",
    ),
    "pre_test": ("Pre-test", "Pré-test", "الاختبار القبلي"),
    "post_test": ("Post-test", "Post-test", "الاختبار البعدي"),
    "evaluation": ("Evaluation", "Évaluation", "التقييم"),
    "followup_test": ("Follow-up test", "Test de suivi", "اختبار المتابعة"),
    "question_sets": ("Question sets", "Questionnaires", "الاستبيانات"),
    "windows": ("When each phase is open", "Ouverture des phases", "مواعيد فتح المراحل"),
    "windows_help": (
        "A day (2019-01-11) or a time with its offset (2019-01-11T08:00+01:00); blank: no limit. "
        "Left blank on a new training: the pre-test opens at once, the post-test and the "
        "evaluation on the last day, a follow-up 30 to 90 days after it.",
        "Un jour (2019-01-11) ou une heure avec son décalage (2019-01-11T08:00+01:00) ; vide : "
        "sans limite. Laissé vide pour une nouvelle formation : le pré-test ouvre tout de suite, "
        "le post-test et l'évaluation le dernier jour, un suivi 30 à 90 jours après.",
        "يوم (2019-01-11) أو وقت مع فارقه (2019-01-11T08:00+01:00)؛ فارغ: بلا حد. إذا تُرك فارغًا "
        "لدورة جديدة: يُفتح الاختبار القبلي فورًا، والبعدي والتقييم في اليوم الأخير، والمتابعة "
        "بين 30 و90 يومًا بعده.",
    ),
    "opens_at": ("Opens", "Ouverture", "يُفتح"),
    "closes_at": ("Closes", "Fermeture", "يُغلق"),
    "open_now": ("Open now", "Ouvrir maintenant", "افتح الآن"),
    "close_now": ("Close now", "Fermer maintenant", "أغلق الآن"),
    "window_state_open": ("open", "ouvert", "مفتوح"),
    "window_state_not_yet": ("not open yet", "pas encore ouvert", "لم يُفتح بعد"),
    "window_state_closed": ("closed", "fermé", "مغلق"),
    "retired": ("retired", "retiré", "مسحوب"),
    "no_institutions_yet": (
        "No institutions yet: add them first.",
        "Aucune institution : ajoutez-en d'abord.",
        "لا توجد مؤسسات بعد: أضفها أولًا.",
    ),
    # Training form problems: `problem_<key>` for each key of server.checks.PROBLEMS
    "problem_bad_id": (
        "Identifier '{id}': use 2-64 lowercase letters, digits and '-' (e.g. 'rabat-tot-2019').",
        "Identifiant « {id} » : utilisez de 2 à 64 minuscules, chiffres et « - » (p. ex. "
        "« rabat-tot-2019 »).",
        "المعرّف «{id}»: استخدم من 2 إلى 64 حرفًا لاتينيًا صغيرًا أو رقمًا أو « - » "
        "(مثل rabat-tot-2019).",
    ),
    "problem_id_taken": (
        "Identifier '{id}': a training with this identifier already exists; choose another.",
        "Identifiant « {id} » : une formation porte déjà cet identifiant ; choisissez-en un autre.",
        "المعرّف «{id}»: توجد دورة تكوينية بهذا المعرّف؛ اختر معرّفًا آخر.",
    ),
    "problem_no_title": (
        "Give the training a title.",
        "Donnez un titre à la formation.",
        "أدخل عنوانًا للدورة التكوينية.",
    ),
    "problem_bad_country": (
        "Country '{country}': use the two-letter ISO code, e.g. MA.",
        "Pays « {country} » : utilisez le code ISO à deux lettres, p. ex. MA.",
        "البلد «{country}»: استخدم رمز ISO من حرفين، مثل MA.",
    ),
    "problem_ends_before_start": (
        "The training cannot end before it starts.",
        "La formation ne peut pas se terminer avant d'avoir commencé.",
        "لا يمكن أن تنتهي الدورة التكوينية قبل أن تبدأ.",
    ),
    "problem_bad_dates": (
        "Give the start and end dates, e.g. 2019-01-07.",
        "Indiquez les dates de début et de fin, p. ex. 2019-01-07.",
        "أدخل تاريخَي البدء والانتهاء، مثل 2019-01-07.",
    ),
    "problem_no_institutions": (
        "The training must list at least one institution.",
        "Cochez au moins une institution participante.",
        "اختر مؤسسة مشاركة واحدة على الأقل.",
    ),
    "problem_unknown_institution": (
        "Institution '{key}' is not in the registry; add it on the Institutions page first.",
        "L'institution « {key} » n'est pas dans le registre ; ajoutez-la d'abord sur la page "
        "Institutions.",
        "المؤسسة «{key}» غير مسجّلة؛ أضفها أولًا من صفحة المؤسسات.",
    ),
    "problem_unknown_trainer": (
        "There is no user '{name}'; add them on the Users page first.",
        "Il n'existe pas d'utilisateur « {name} » ; ajoutez-le d'abord sur la page Utilisateurs.",
        "لا يوجد مستخدم باسم «{name}»؛ أضفه أولًا من صفحة المستخدمين.",
    ),
    "problem_unknown_parent": (
        "There is no other training '{parent}' to be the parent.",
        "Il n'existe pas d'autre formation « {parent} » qui puisse servir de formation d'origine.",
        "لا توجد دورة تكوينية أخرى بالمعرّف «{parent}» لتكون الدورة الأم.",
    ),
    "problem_not_published": (
        "{field}: question set '{form}' version {version} is not published.",
        "{field} : le questionnaire « {form} » version {version} n'est pas publié.",
        "{field}: الاستبيان «{form}» الإصدار {version} غير منشور.",
    ),
    "problem_not_a_test": (
        "{field}: '{form}' is an evaluation, not a test.",
        "{field} : « {form} » est une évaluation, pas un test.",
        "{field}: «{form}» استبيان تقييم وليس اختبارًا.",
    ),
    "problem_not_an_evaluation": (
        "{field}: '{form}' is a test, not an evaluation.",
        "{field} : « {form} » est un test, pas une évaluation.",
        "{field}: «{form}» اختبار وليس استبيان تقييم.",
    ),
    "problem_retired": (
        "{field}: '{form}' version {version} is retired.",
        "{field} : « {form} » version {version} a été retiré.",
        "{field}: «{form}» الإصدار {version} مسحوب.",
    ),
    "problem_unknown_phase": (
        "windows: '{phase}' is not a phase; use {allowed}.",
        "windows : « {phase} » n'est pas une phase ; utilisez {allowed}.",
        "windows: «{phase}» ليست مرحلة؛ استخدم {allowed}.",
    ),
    "problem_bad_window": (
        "{phase}: {problem}",
        "{phase} : {problem}",
        "{phase}: {problem}",
    ),
    "problem_followup_without_test": (
        "Follow-up test: choose its question set (there is no post-test to reuse).",
        "Test de suivi : choisissez son questionnaire (il n'y a pas de post-test à reprendre).",
        "اختبار المتابعة: اختر استبيانه (لا يوجد اختبار بعدي لإعادة استخدامه).",
    ),
    "problem_no_question_set": (
        "Assign at least one question set: pre-test, post-test or evaluation.",
        "Attribuez au moins un questionnaire : pré-test, post-test ou évaluation.",
        "عيّن استبيانًا واحدًا على الأقل: الاختبار القبلي أو البعدي أو التقييم.",
    ),
    # Join page
    "join_title": ("Join the training", "Rejoindre la formation", "الانضمام إلى الدورة التكوينية"),
    "join_instructions": (
        "Scan the code with your phone's camera, or open the link. After the first visit the app "
        "works without a network.",
        "Scannez le code avec l'appareil photo de votre téléphone, ou ouvrez le lien. Après la "
        "première visite, l'application fonctionne sans réseau.",
        "امسح الرمز بكاميرا هاتفك أو افتح الرابط. "
        "بعد الزيارة الأولى يعمل التطبيق دون اتصال بالشبكة.",
    ),
    "qr_title": ("QR code of the join link", "Code QR du lien d'accès", "رمز QR لرابط الانضمام"),
    # Monitor
    "monitor_intro": (
        "Updates by itself every few seconds.",
        "Se met à jour tout seul toutes les quelques secondes.",
        "يتحدّث تلقائيًا كل بضع ثوانٍ.",
    ),
    "counts_by_phase": (
        "Submissions per phase and institution",
        "Réponses par phase et par institution",
        "الإجابات حسب المرحلة والمؤسسة",
    ),
    "institution": ("Institution", "Institution", "المؤسسة"),
    "total": ("Total", "Total", "المجموع"),
    "last_arrivals": ("Last arrivals", "Dernières arrivées", "آخر الوصولات"),
    "received_at": ("Received", "Reçu", "وقت الاستلام"),
    "phase": ("Phase", "Phase", "المرحلة"),
    "participant_code": ("Participant code", "Code participant", "رمز المشارك"),
    "score": ("Score", "Score", "النتيجة"),
    "devices_pending": (
        "Devices still holding unsent work",
        "Appareils avec des réponses non envoyées",
        "أجهزة ما زالت تحتفظ بأعمال غير مرسلة",
    ),
    "device": ("Device", "Appareil", "الجهاز"),
    "last_seen": ("Last seen", "Vu la dernière fois", "آخر ظهور"),
    "pending": ("Waiting to send", "En attente d'envoi", "في انتظار الإرسال"),
    "nothing_yet": ("Nothing yet.", "Rien pour l'instant.", "لا شيء بعد."),
    "updated_at": ("Updated {time}", "Mis à jour à {time}", "حُدّث في {time}"),
    "update_failed": (
        "Could not update; retrying.",
        "Mise à jour impossible ; nouvel essai.",
        "تعذّر التحديث؛ جارٍ إعادة المحاولة.",
    ),
    # Question sets
    "forms_title": ("Question sets", "Questionnaires", "الاستبيانات"),
    "upload_form": ("Upload a question set", "Téléverser un questionnaire", "رفع استبيان"),
    "download_template": (
        "Download the XLSForm template (.xlsx)",
        "Télécharger le modèle XLSForm (.xlsx)",
        "تنزيل نموذج XLSForm (.xlsx)",
    ),
    "no_forms": (
        "No question sets yet.",
        "Aucun questionnaire pour l'instant.",
        "لا توجد استبيانات بعد.",
    ),
    "version": ("Version", "Version", "الإصدار"),
    "kind": ("Kind", "Type", "النوع"),
    "kind_test": ("Knowledge test", "Test de connaissances", "اختبار معارف"),
    "kind_evaluation": ("Evaluation", "Évaluation", "تقييم"),
    "hash": ("Content hash", "Empreinte du contenu", "بصمة المحتوى"),
    "published_at": ("Published", "Publié", "تاريخ النشر"),
    "status": ("Status", "Statut", "الحالة"),
    "active": ("in use", "actif", "مستخدم"),
    "retire": ("Retire", "Retirer", "سحب"),
    "unretire": ("Bring back", "Rétablir", "إعادة"),
    "retire_help": (
        "A retired set cannot be picked for new trainings; data already collected is untouched.",
        "Un questionnaire retiré ne peut plus être choisi pour une nouvelle formation ; les "
        "données déjà reçues restent intactes.",
        "لا يمكن اختيار الاستبيان المسحوب لدورات جديدة؛ وتبقى البيانات المجمعة سابقًا كما هي.",
    ),
    "view": ("View", "Voir", "عرض"),
    "upload_help": (
        "A YAML, JSON or XLSForm (.xlsx) file. You will see a preview before anything is "
        "published.",
        "Un fichier YAML, JSON ou XLSForm (.xlsx). Vous verrez un aperçu avant toute publication.",
        "ملف YAML أو JSON أو XLSForm ‏(.xlsx). ستظهر لك معاينة قبل أي نشر.",
    ),
    "file": ("File", "Fichier", "الملف"),
    "check_and_preview": ("Check and preview", "Vérifier et prévisualiser", "تحقق ومعاينة"),
    "upload_errors": (
        "The file has {n} problem(s); nothing was published:",
        "Le fichier comporte {n} problème(s) ; rien n'a été publié :",
        "في الملف {n} مشكلة؛ لم يُنشر أي شيء:",
    ),
    "upload_warnings": (
        "What the check assumed or left out ({n}); read it before publishing:",
        "Ce que la vérification a supposé ou laissé de côté ({n}) ; lisez-le avant de publier :",
        "ما افترضه الفحص أو تركه ({n})؛ اقرأه قبل النشر:",
    ),
    "where": ("Where", "Où", "الموضع"),
    "problem": ("Problem", "Problème", "المشكلة"),
    "preview_title": ("Preview", "Aperçu", "معاينة"),
    "preview_intro": (
        "This is the set as participants will see it, in each language. The answer key is shown "
        "to you only; phones never receive it.",
        "Voici le questionnaire tel que les participants le verront, dans chaque langue. Le "
        "corrigé n'est montré qu'à vous ; les téléphones ne le reçoivent jamais.",
        "هذا هو الاستبيان كما سيراه المشاركون بكل لغة. مفتاح الإجابات يظهر لك وحدك ولا يُرسل إلى "
        "الهواتف أبدًا.",
    ),
    "publish": ("Publish", "Publier", "نشر"),
    "upload_another": ("Upload another file", "Téléverser un autre fichier", "رفع ملف آخر"),
    "already_same": (
        "This version is already published with exactly this content; publishing again changes "
        "nothing.",
        "Cette version est déjà publiée avec exactement ce contenu ; la republier ne change rien.",
        "هذا الإصدار منشور بالفعل بالمحتوى نفسه؛ إعادة النشر لا تغيّر شيئًا.",
    ),
    "conflict": (
        "Version {version} of '{id}' is already published with other content, and published "
        "versions never change. Give the new content a new version number.",
        "La version {version} de « {id} » est déjà publiée avec un autre contenu, et une version "
        "publiée ne change jamais. Donnez un nouveau numéro de version au nouveau contenu.",
        "الإصدار {version} من «{id}» منشور بالفعل بمحتوى مختلف، والإصدارات المنشورة لا تتغير أبدًا. "
        "أعطِ المحتوى الجديد رقم إصدار جديدًا.",
    ),
    "published_ok": ("Published.", "Publié.", "تم النشر."),
    "unchanged_ok": (
        "Already published with this content; nothing changed.",
        "Déjà publié avec ce contenu ; rien n'a changé.",
        "منشور مسبقًا بهذا المحتوى؛ لم يتغير شيء.",
    ),
    "changed_since_preview": (
        "The content is not the one previewed; upload the file again.",
        "Le contenu n'est pas celui prévisualisé ; téléversez à nouveau le fichier.",
        "المحتوى ليس هو الذي تمت معاينته؛ ارفع الملف مرة أخرى.",
    ),
    "template_missing": (
        "The XLSForm template is not available on this server yet.",
        "Le modèle XLSForm n'est pas encore disponible sur ce serveur.",
        "نموذج XLSForm غير متاح بعد على هذا الخادم.",
    ),
    "languages": ("Languages", "Langues", "اللغات"),
    "questions_count": ("Questions", "Questions", "الأسئلة"),
    "pass_mark": ("Pass mark", "Seuil de réussite", "عتبة النجاح"),
    "answer_key": ("Answer key", "Corrigé", "مفتاح الإجابات"),
    "correct": ("correct", "correct", "صحيح"),
    "points": ("{n} point(s)", "{n} point(s)", "{n} نقطة"),
    "topic": ("Topic", "Thème", "المحور"),
    "source": ("Source", "Source", "المرجع"),
    "optional": ("optional", "facultatif", "اختياري"),
    "shown_when": ("Shown when", "Affichée si", "تظهر إذا"),
    "required_when": ("Required when", "Obligatoire si", "إلزامية إذا"),
    "valid_when": ("Valid when", "Valide si", "صالحة إذا"),
    "calculated_as": ("Calculated as", "Calculée comme", "تُحسب كالتالي"),
    "choices_when": ("Choices shown when", "Choix affichés si", "تظهر الخيارات إذا"),
    "answer_is": ("Answer: {value}", "Réponse : {value}", "الإجابة: {value}"),
    "tolerance": ("± {value}", "± {value}", "± {value}"),
    "partial_credit": ("partial credit", "points partiels", "نقاط جزئية"),
    "true": ("True", "Vrai", "صحيح"),
    "false": ("False", "Faux", "خطأ"),
    "note_badge": ("note", "note", "ملاحظة"),
    # Institutions
    "institutions_title": ("Institutions", "Institutions", "المؤسسات"),
    "key": ("Key", "Clé", "المفتاح"),
    "key_help": (
        "Lowercase letters, digits, '-' or '_', e.g. gendarmerie. Phones send it.",
        "Minuscules, chiffres, « - » ou « _ », p. ex. gendarmerie. Les téléphones l'envoient.",
        "حروف لاتينية صغيرة وأرقام و« - » أو « _ »، مثل gendarmerie. ترسله الهواتف.",
    ),
    "name_in": ("Name ({language})", "Nom ({language})", "الاسم ({language})"),
    "add_institution": ("Add an institution", "Ajouter une institution", "إضافة مؤسسة"),
    "edit_institution": ("Edit the institution", "Modifier l'institution", "تعديل المؤسسة"),
    "saved": ("Saved.", "Enregistré.", "تم الحفظ."),
    "bad_key": (
        "Key '{key}': use lowercase letters, digits, '-' or '_' (e.g. 'gendarmerie').",
        "Clé « {key} » : utilisez des minuscules, des chiffres, « - » ou « _ » (p. ex. "
        "« gendarmerie »).",
        "المفتاح «{key}»: استخدم حروفًا لاتينية صغيرة وأرقامًا و« - » أو « _ » (مثل gendarmerie).",
    ),
    "need_name": (
        "Give the institution a name in at least one language.",
        "Donnez un nom à l'institution dans au moins une langue.",
        "أدخل اسم المؤسسة بلغة واحدة على الأقل.",
    ),
    "bad_country": (
        "Country '{country}': use the two-letter ISO code, e.g. MA, or leave it empty.",
        "Pays « {country} » : utilisez le code ISO à deux lettres, p. ex. MA, ou laissez vide.",
        "البلد «{country}»: استخدم رمز ISO من حرفين مثل MA أو اتركه فارغًا.",
    ),
    # Users
    "users_title": ("Users", "Utilisateurs", "المستخدمون"),
    "role": ("Role", "Rôle", "الدور"),
    "role_admin": ("Admin", "Administrateur", "مشرف"),
    "role_trainer": ("Trainer", "Formateur", "مكوّن"),
    "created_at": ("Created", "Créé", "تاريخ الإنشاء"),
    "add_user": (
        "Add a user, or set a user's role and password",
        "Ajouter un utilisateur, ou changer son rôle et son mot de passe",
        "إضافة مستخدم أو تغيير دوره وكلمة مروره",
    ),
    "user_created": (
        "User {name} created.",
        "Utilisateur {name} créé.",
        "تم إنشاء المستخدم {name}.",
    ),
    "user_updated": (
        "User {name} updated.",
        "Utilisateur {name} mis à jour.",
        "تم تحديث المستخدم {name}.",
    ),
    "bad_username": (
        "Username '{name}': use 2-32 lowercase letters, digits, '.', '-' or '_'.",
        "Identifiant « {name} » : utilisez 2 à 32 minuscules, chiffres, « . », « - » ou « _ ».",
        "اسم المستخدم «{name}»: استخدم من 2 إلى 32 حرفًا لاتينيًا صغيرًا أو أرقامًا أو « . » أو « - » "
        "أو « _ ».",
    ),
    "common_password": (
        "This password is one of the most common ones, which are tried first; choose another.",
        "Ce mot de passe fait partie des plus courants, essayés en premier ; choisissez-en un "
        "autre.",
        "كلمة المرور هذه من أكثر الكلمات شيوعًا، وهي أول ما يُجرَّب؛ اختر غيرها.",
    ),
    "short_password": (
        "Choose a password of at least {n} characters.",
        "Choisissez un mot de passe d'au moins {n} caractères.",
        "اختر كلمة مرور من {n} أحرف على الأقل.",
    ),
    "disabled": ("disabled", "désactivé", "معطّل"),
    "disable_user": ("Disable", "Désactiver", "تعطيل"),
    "enable_user": ("Enable", "Réactiver", "تفعيل"),
    "cannot_disable_self": (
        "You cannot disable your own account; ask another admin.",
        "Vous ne pouvez pas désactiver votre propre compte ; demandez à un autre administrateur.",
        "لا يمكنك تعطيل حسابك الخاص؛ اطلب ذلك من مشرف آخر.",
    ),
    "token_owner": ("User", "Utilisateur", "المستخدم"),
    # Tokens
    "tokens_title": ("Tokens for scripts", "Jetons pour les scripts", "رموز للبرامج النصية"),
    "tokens_intro": (
        "A token lets a script use the API as you: send 'Authorization: Bearer <token>'.",
        "Un jeton permet à un script d'utiliser l'API en votre nom : envoyez « Authorization: "
        "Bearer <jeton> ».",
        "يتيح الرمز لبرنامج نصي استخدام الواجهة البرمجية باسمك: "
        "أرسل ‎'Authorization: Bearer <token>'‎.",
    ),
    "token_name": ("Name (what it is for)", "Nom (à quoi il sert)", "الاسم (الغرض منه)"),
    "create_token": ("Create a token", "Créer un jeton", "إنشاء رمز"),
    "token_shown_once": (
        "Copy this token now; it will not be shown again.",
        "Copiez ce jeton maintenant ; il ne sera plus affiché.",
        "انسخ هذا الرمز الآن؛ لن يظهر مرة أخرى.",
    ),
    "last_used": ("Last used", "Dernière utilisation", "آخر استخدام"),
    "revoke": ("Revoke", "Révoquer", "إلغاء"),
    "revoked": ("revoked", "révoqué", "ملغى"),
    "never": ("never", "jamais", "أبدًا"),
    "no_tokens": ("No tokens yet.", "Aucun jeton pour l'instant.", "لا توجد رموز بعد."),
    "need_token_name": (
        "Say what the token is for.",
        "Indiquez à quoi sert le jeton.",
        "اذكر الغرض من الرمز.",
    ),
    # Audit
    "audit_title": ("Audit log", "Journal d'audit", "سجل التدقيق"),
    "audit_intro": (
        "The last {n} admin changes, newest first.",
        "Les {n} dernières modifications d'administration, les plus récentes d'abord.",
        "آخر {n} تغييرات إدارية، الأحدث أولًا.",
    ),
    "when": ("When", "Quand", "متى"),
    "who": ("Who", "Qui", "من"),
    "action": ("Action", "Action", "الإجراء"),
    "target": ("Target", "Cible", "الهدف"),
    "details": ("Details", "Détails", "التفاصيل"),
    # Unsent-records upload
    "uploads_title": (
        "Upload unsent records",
        "Téléverser des réponses non envoyées",
        "رفع السجلات غير المرسلة",
    ),
    "uploads_intro": (
        "When a phone never had a network, its owner can export the unsent records to a file "
        "(in the app: 'Export unsent records'). Upload that file here; it goes through the same "
        "checks as a sync, and records already received are recognised.",
        "Quand un téléphone n'a jamais eu de réseau, on peut exporter ses réponses non envoyées "
        "dans un fichier (dans l'application : « Exporter les réponses non envoyées »). "
        "Téléversez ce fichier ici ; il subit les mêmes contrôles qu'une synchronisation, et les "
        "réponses déjà reçues sont reconnues.",
        "إذا لم يتصل الهاتف بالشبكة قط، يمكن لصاحبه تصدير السجلات غير المرسلة إلى ملف (في التطبيق: "
        "«تصدير السجلات غير المرسلة»). ارفع هذا الملف هنا؛ فهو يخضع للفحوص نفسها التي تخضع لها "
        "المزامنة، وتُميَّز السجلات المستلمة سابقًا.",
    ),
    "upload": ("Upload", "Téléverser", "رفع"),
    "not_unsent_file": (
        "This is not a file of unsent records exported by the Tadrib app.",
        "Ce n'est pas un fichier de réponses non envoyées exporté par l'application Tadrib.",
        "هذا ليس ملف سجلات غير مرسلة صدّره تطبيق تدريب.",
    ),
    "too_many_codes": (
        "This file names more unknown join codes than this address may still send; nothing was "
        "stored. Wait a minute, or upload the records of one training at a time.",
        "Ce fichier nomme plus de codes d'accès inconnus que cette adresse ne peut encore en "
        "envoyer ; rien n'a été enregistré. Attendez une minute, ou envoyez les réponses d'une "
        "formation à la fois.",
        "يذكر هذا الملف رموز انضمام غير معروفة أكثر مما يُسمح به لهذا العنوان؛ لم يُحفظ شيء. "
        "انتظر دقيقة، أو ارفع سجلات تدريب واحد في كل مرة.",
    ),
    "upload_too_large": (
        "The file is larger than {megabytes} MB, this server's limit; ask its administrator "
        "to raise TADRIB_MAX_BODY.",
        "Le fichier dépasse {megabytes} Mo, la limite de ce serveur ; demandez à son "
        "administrateur d'augmenter TADRIB_MAX_BODY.",
        "الملف أكبر من {megabytes} ميغابايت، وهو حدّ هذا الخادم؛ اطلب من مسؤوله رفع "
        "TADRIB_MAX_BODY.",
    ),
    "choose_file": ("Choose a file first.", "Choisissez d'abord un fichier.", "اختر ملفًا أولًا."),
    "results": ("Results", "Résultats", "النتائج"),
    "record": ("Record", "Réponse", "السجل"),
    "status_accepted": ("accepted", "acceptée", "مقبول"),
    "status_duplicate": ("already received", "déjà reçue", "مستلم سابقًا"),
    "status_conflict": ("conflict", "conflit", "تعارض"),
    "status_rejected": ("rejected", "refusée", "مرفوض"),
    "upload_summary": (
        "{accepted} accepted, {duplicate} already received, {conflict} in conflict, "
        "{rejected} rejected.",
        "{accepted} acceptée(s), {duplicate} déjà reçue(s), {conflict} en conflit, "
        "{rejected} refusée(s).",
        "{accepted} مقبول، {duplicate} مستلم سابقًا، {conflict} متعارض، {rejected} مرفوض.",
    ),
}


def translate(lang: str, key: str, /, **values: object) -> str:
    """The string `key` in `lang`, with its placeholders filled; unknown keys fail loudly."""
    en, fr, ar = STRINGS[key]
    text = {"en": en, "fr": fr, "ar": ar}.get(lang, en)
    return text.format(**values) if values else text


def pick(text: Mapping[str, str] | str | None, lang: str) -> str:
    """A multilingual text in `lang`, else English, else any language given."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for code in (lang, DEFAULT, *text):
        if text.get(code):
            return text[code]
    return ""


def choose(cookie: str | None, accept_language: str) -> str:
    """The page language: the switcher's cookie first, then the browser's preference."""
    if cookie in LANGUAGES:
        return cookie
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
