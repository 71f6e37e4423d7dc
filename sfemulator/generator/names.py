"""Names for people and companies.

The sales agents, managers and account names of the public "CRM Sales Opportunities" data set (Maven
Analytics; see /work/shared/data/crm-sales-opportunities/SOURCE.md) seed these lists, widened with common
names so that a thousand-rep org still gets distinct people. A few accented names keep UTF-8 honest.
"""

FIRST_NAMES = (
    # From the data set's sales teams.
    "Anna", "Cecily", "Versie", "Lajuana", "Moses", "Jonathan", "Marty", "Gladys", "Niesha", "Darcel",
    "Mei-Mei", "Violet", "Corliss", "Rosie", "Garret", "Wilburn", "Elizabeth", "Daniell", "Cassey", "Donn",
    "Reed", "Boris", "Natalya", "Vicki", "Rosalina", "Hayden", "Markita", "Elease", "Carol", "James",
    "Kary", "Kami", "Zane", "Maureen", "Carl", "Dustin", "Melvin", "Cara", "Rocco", "Celia", "Summer",
    # Widened.
    "Aaliyah", "Adrian", "Aisha", "Alejandro", "Amara", "Andre", "Ana", "Arjun", "Beatriz", "Benjamin",
    "Björn", "Brianna", "Caleb", "Camila", "Chen", "Chloe", "Daniel", "Deepa", "Diego", "Elena", "Elijah",
    "Emeka", "Emily", "Ethan", "Fatima", "Felix", "Gabriel", "Grace", "Hannah", "Hiroshi", "Ian", "Imani",
    "Isabel", "Jack", "Jasmine", "José", "Julia", "Kai", "Karen", "Kenji", "Laura", "Leila", "Liam", "Lucas",
    "Mariana", "Mark", "Matteo", "Maya", "Michael", "Mohammed", "Nadia", "Nathan", "Nina", "Noah", "Olivia",
    "Omar", "Oscar", "Priya", "Rafael", "Rachel", "Ravi", "Rebecca", "Ryan", "Samuel", "Sara", "Sean",
    "Sofia", "Søren", "Tanya", "Thomas", "Tomás", "Valentina", "Victor", "Wei", "William", "Yara", "Yusuf",
    "Zoë", "Aidan", "Bianca", "Connor", "Dalia", "Erik", "Farah", "Georgia", "Hugo", "Ingrid", "Jonas",
    "Keisha", "Lorenzo", "Marta", "Nikhil", "Owen", "Paula", "Quinn", "Rosa", "Simone", "Tariq", "Uma",
)  # fmt: skip

LAST_NAMES = (
    # From the data set's sales teams.
    "Snelling", "Lampkin", "Hillebrand", "Vencill", "Frase", "Berthelot", "Freudenburg", "Colclough",
    "Huffines", "Schlecht", "Johns", "Mclelland", "Cosme", "Papadopoulos", "Kinder", "Farren", "Anderson",
    "Hammack", "Cress", "Cantrell", "Clapper", "Faz", "Ivanova", "Laflamme", "Dieter", "Neloms", "Hansen",
    "Gluck", "Thompson", "Ascencio", "Hendrixson", "Bicknell", "Levy", "Marcano", "Lin", "Brinkmann",
    "Marxen", "Losch", "Neubert", "Rouche", "Sewald",
    # Widened.
    "Abbott", "Adeyemi", "Alvarez", "Bauer", "Bennett", "Brooks", "Castillo", "Chang", "Chowdhury", "Cohen",
    "Costa", "Dubois", "Eriksson", "Fernández", "Fischer", "Fitzgerald", "Garcia", "Goldberg", "Gupta",
    "Haddad", "Hughes", "Ibrahim", "Jensen", "Kapoor", "Kelly", "Kim", "Kowalski", "Larsen", "Lee", "Lopez",
    "MacLeod", "Martin", "Mendes", "Meyer", "Moreau", "Müller", "Nakamura", "Nguyen", "Novak", "O'Brien",
    "Okafor", "Olsen", "Patel", "Perez", "Petrov", "Quinn", "Ramirez", "Reyes", "Rossi", "Russo", "Sato",
    "Schmidt", "Shah", "Silva", "Singh", "Sullivan", "Suzuki", "Tanaka", "Torres", "Tran", "Varga", "Wagner",
    "Walsh", "Wang", "Weber", "Williams", "Wilson", "Wong", "Yamamoto", "Yilmaz", "Young", "Zhang", "Zimmer",
)  # fmt: skip

# Company names of the data set are built from syllables ("Don" + "quad" + "tech"); these parts make more.
COMPANY_NAMES = (
    "Acme Corporation", "Betasoloin", "Betatech", "Bioholding", "Bioplex", "Blackzim", "Bluth Company",
    "Bubba Gump", "Cancity", "Cheers", "Codehow", "Condax", "Conecom", "Dalttechnology", "Domzoom", "Doncon",
    "Donquadtech", "Dontechi", "Donware", "Fasehatice", "Faxquote", "Finhigh", "Finjob", "Funholding",
    "Ganjaflex", "Gekko & Co", "Genco Pura Olive Oil Company", "Globex Corporation", "Gogozoom", "Golddex",
    "Goodsilron", "Green-Plus", "Groovestreet", "Hatfan", "Hottechi", "Initech", "Inity", "Isdom",
    "Iselectrics", "J-Texon", "Kan-code", "Kinnamplus", "Konex", "Konmatfix", "Labdrill", "Lexiqvolax",
    "Massive Dynamic", "Mathtouch", "Nam-zim", "Newex", "Ontomedia", "Opentech", "Plexzap", "Plusstrip",
    "Plussunin", "Rangreen", "Rantouch", "Ron-tech", "Rundofase", "Scotfind", "Scottech", "Silis",
    "Singletechno", "Sonron", "Stanredtax", "Statholdings", "Streethex", "Sumace", "Sunnamplex",
    "The New York Inquirer", "Toughzap", "Treequote", "Umbrella Corporation", "Vehement Capital Partners",
    "Warephase", "Xx-holding", "Xx-zobam", "Y-corporation", "Yearin", "Zathunicon", "Zencorporation",
    "Zoomit", "Zotware", "Zumgoity",
)  # fmt: skip

COMPANY_HEADS = (
    "Beta", "Bio", "Black", "Blue", "Can", "Code", "Con", "Dalt", "Dom", "Don", "Fase", "Fax", "Fin", "Fun",
    "Gan", "Gogo", "Gold", "Good", "Green", "Groove", "Hat", "Hot", "Is", "Kan", "Kin", "Kon", "Lab", "Lexi",
    "Math", "Nam", "Onto", "Open", "Plex", "Plus", "Ran", "Ron", "Rundo", "Scot", "Sil", "Single", "Son",
    "Stan", "Stat", "Street", "Sum", "Sun", "Tough", "Tree", "Ware", "Year", "Zath", "Zen", "Zoom", "Zot",
    "Zum", "Alpha", "Ark", "Bright", "Clear", "Core", "Delta", "Echo", "Flex", "Grand", "Iron", "Nova",
    "Omni", "Peak", "Quant", "River", "Silver", "Terra", "True", "Vista", "Volt",
)  # fmt: skip

COMPANY_TAILS = (
    "soloin", "tech", "holding", "plex", "zim", "city", "com", "zoom", "con", "ware", "hatice", "quote",
    "high", "job", "flex", "dex", "silron", "fix", "drill", "volax", "touch", "strip", "sunin", "green",
    "find", "redtax", "hex", "ace", "nicon", "ity", "goity", "dax", "labs", "net", "line", "works", "core",
    "point", "bridge", "field", "stone", "wave", "gate", "form", "logic", "scape", "sphere", "vent",
)  # fmt: skip

COMPANY_SUFFIXES = {
    "US": ("Inc.", "Corp.", "LLC", "Group", "Holdings", "Systems", "Partners", "Industries", ""),
    "GB": ("Ltd", "plc", "Group", ""),
    "DE": ("GmbH", "AG", ""),
    "FR": ("SA", "SAS", ""),
    "NL": ("B.V.", ""),
    "SE": ("AB", ""),
    "ES": ("S.L.", "S.A.", ""),
    "IE": ("Ltd", ""),
    "AU": ("Pty Ltd", ""),
    "SG": ("Pte. Ltd.", ""),
    "JP": ("K.K.", ""),
    "IN": ("Pvt. Ltd.", ""),
}
