"""Generated names: Afghan (Dari / Pashto) names in Latin transliteration and Arabic script,
Central Asian names in Latin and Cyrillic, Turkish names; nationalities and their scripts."""

from __future__ import annotations

# Latin transliterations of Afghan (Dari / Pashto) names, then the same names in Arabic script
# (same position: the Latin form is kept as name_latin), then Central Asian names in Cyrillic.
AF_MALE = [
    ("Mohammad", "محمد"),
    ("Ahmad", "احمد"),
    ("Abdul", "عبدل"),
    ("Ali", "علی"),
    ("Hamid", "حمید"),
    ("Jawad", "جواد"),
    ("Khalid", "خالد"),
    ("Mustafa", "مصطفی"),
    ("Nasir", "ناصر"),
    ("Rahim", "رحیم"),
    ("Sayed", "سید"),
    ("Zabihullah", "ذبیح‌الله"),
    ("Hekmatullah", "حکمت‌الله"),
    ("Naveed", "نوید"),
    ("Farid", "فرید"),
    ("Wahid", "وحید"),
    ("Bashir", "بشیر"),
    ("Habib", "حبیب"),
    ("Qasim", "قاسم"),
    ("Rahmatullah", "رحمت‌الله"),
    ("Najibullah", "نجیب‌الله"),
    ("Omid", "امید"),
    ("Javid", "جاوید"),
    ("Shafiq", "شفیق"),
    ("Latif", "لطیف"),
    ("Samiullah", "سمیع‌الله"),
    ("Ismail", "اسماعیل"),
    ("Yama", "یما"),
    ("Murtaza", "مرتضی"),
    ("Sohrab", "سهراب"),
]
AF_FEMALE = [
    ("Fatima", "فاطمه"),
    ("Maryam", "مریم"),
    ("Zahra", "زهرا"),
    ("Farida", "فریده"),
    ("Nazia", "نازیه"),
    ("Shabnam", "شبنم"),
    ("Parwana", "پروانه"),
    ("Mursal", "مرسل"),
    ("Laila", "لیلا"),
    ("Roya", "رویا"),
    ("Sima", "سیما"),
    ("Nadia", "نادیه"),
    ("Marzia", "مرضیه"),
    ("Freshta", "فرشته"),
    ("Hosai", "هوسۍ"),
    ("Zarghona", "زرغونه"),
    ("Malalai", "ملالی"),
    ("Sahar", "سحر"),
    ("Khadija", "خدیجه"),
    ("Gulalai", "ګلالۍ"),
    ("Nilofar", "نیلوفر"),
    ("Tahmina", "تهمینه"),
]
AF_FAMILY = [
    ("Ahmadi", "احمدی"),
    ("Mohammadi", "محمدی"),
    ("Rahimi", "رحیمی"),
    ("Karimi", "کریمی"),
    ("Hashimi", "هاشمی"),
    ("Noori", "نوری"),
    ("Sultani", "سلطانی"),
    ("Haidari", "حیدری"),
    ("Hussaini", "حسینی"),
    ("Popal", "پوپل"),
    ("Stanikzai", "ستانکزی"),
    ("Wardak", "وردک"),
    ("Safi", "صافی"),
    ("Amiri", "امیری"),
    ("Nazari", "نظری"),
    ("Sadat", "سادات"),
    ("Yousufzai", "یوسفزی"),
    ("Jalali", "جلالی"),
    ("Rezaei", "رضایی"),
    ("Hakimi", "حکیمی"),
    ("Azizi", "عزیزی"),
    ("Naseri", "ناصری"),
    ("Barakzai", "بارکزی"),
    ("Durrani", "درانی"),
    ("Qaderi", "قادری"),
    ("Sharifi", "شریفی"),
    ("Mirzaei", "میرزایی"),
    ("Akbari", "اکبری"),
    ("Habibi", "حبیبی"),
    ("Samadi", "صمدی"),
    ("Kakar", "کاکړ"),
    ("Mangal", "منگل"),
    ("Zazai", "ځاځی"),
    ("Niazi", "نیازی"),
    ("Taheri", "طاهری"),
    ("Faizi", "فیضی"),
    ("Sediqi", "صدیقی"),
    ("Ghafoori", "غفوری"),
    ("Osmani", "عثمانی"),
    ("Rasuli", "رسولی"),
]
#: Family names made the Afghan way from a given name (Ahmad -> Ahmadi, Ahmadzai, Ahmadkhel,
#: Ahmadyar), in both scripts: the listed ones first (common), these after them (rarer).
AF_SUFFIXES = [("i", "ی"), ("zai", "زی"), ("khel", "خیل"), ("yar", "یار")]
AF_FAMILY_ALL = AF_FAMILY + [
    (latin + suffix, arabic + suffix_ar)
    for suffix, suffix_ar in AF_SUFFIXES
    for latin, arabic in AF_MALE
    if (latin + suffix, arabic + suffix_ar) not in AF_FAMILY
]
CA_MALE = [
    ("Rustam", "Рустам"),
    ("Timur", "Тимур"),
    ("Farhod", "Фарход"),
    ("Bakhtiyor", "Бахтиёр"),
    ("Sherzod", "Шерзод"),
    ("Jamshed", "Джамшед"),
    ("Dilshod", "Дилшод"),
    ("Anvar", "Анвар"),
    ("Bekzod", "Бекзод"),
    ("Umed", "Умед"),
]
CA_FEMALE = [
    ("Gulnara", "Гульнара"),
    ("Madina", "Мадина"),
    ("Nilufar", "Нилуфар"),
    ("Dilnoza", "Дилноза"),
    ("Zarina", "Зарина"),
    ("Sevara", "Севара"),
    ("Feruza", "Феруза"),
    ("Mehrona", "Мехрона"),
]
#: (Latin, Cyrillic) of the masculine form; the feminine adds -a.
CA_FAMILY = [
    ("Aliev", "Алиев"),
    ("Karimov", "Каримов"),
    ("Rahimov", "Рахимов"),
    ("Yusupov", "Юсупов"),
    ("Nazarov", "Назаров"),
    ("Saidov", "Саидов"),
    ("Tursunov", "Турсунов"),
    ("Rahmonov", "Рахмонов"),
    ("Sharipov", "Шарипов"),
    ("Kholov", "Холов"),
    ("Mirzoev", "Мирзоев"),
    ("Ismoilov", "Исмоилов"),
]

#: (nationality, weight, script): "af" Afghan names in Latin or Arabic script, "ca" Central
#: Asian names in Cyrillic, "tr" Turkish names in Latin only.
NATIONALITIES = [
    ("AF", 74, "af"),
    ("PK", 7, "af"),
    ("IR", 6, "af"),
    ("UZ", 4, "ca"),
    ("TJ", 3, "ca"),
    ("TR", 2, "tr"),
    ("IQ", 1, "af"),
    ("SY", 1, "af"),
    ("KG", 1, "ca"),
    ("BD", 1, "af"),
]
TR_MALE = ["Mehmet", "Mustafa", "Emre", "Yusuf", "Murat"]
TR_FEMALE = ["Ayse", "Elif", "Zeynep", "Fatma", "Emine"]
TR_FAMILY = ["Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Aydin"]
LANGUAGES = {"af": ["fa", "ps"], "ca": ["ru", "uz", "tg"], "tr": ["tr"]}
